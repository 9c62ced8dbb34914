"""The Drôme demo questionnaire with its simulated responses, and its results page."""

import numpy as np
import pytest
from django.urls import reverse

from atout.consultation import demo, results
from atout.consultation.models import Answer, Response
from atout.engine import surveystats


def test_the_demo_is_rebuilt_not_duplicated_with_the_same_answers(drome):
    first_survey = demo.prepare(drome, count=150).survey
    first = sorted(Answer.objects.filter(survey=first_survey, question="recommande").values_list("number", flat=True))
    again = demo.prepare(drome, count=150).survey
    assert Response.objects.filter(survey__process=drome, survey__slug=demo.SLUG).count() == 150
    assert sorted(Answer.objects.filter(survey=again, question="recommande").values_list("number", flat=True)) == first


def test_the_demo_its_figures_and_its_results_page(drome, client, users):
    """One 3,000-response demo (slow to build) checked three ways."""
    demo_survey = demo.prepare(drome, count=3000).survey
    responses = Response.objects.filter(survey=demo_survey)
    assert responses.filter(simulated=True, status="submitted").count() == 3000
    zones = set(responses.values_list("zone__code", flat=True))
    assert zones == set(drome.subterritories.values_list("code", flat=True))
    assert not responses.filter(epci__isnull=True).exists()
    check_sql_figures_equal_the_engine_on_arrays(demo_survey)
    check_the_results_page(client, users, demo_survey)


def check_sql_figures_equal_the_engine_on_arrays(demo_survey):
    """The results computed from SQL sums are the engine's figures on per-respondent arrays."""
    form = results.form_from_dict(demo_survey.current_version.structure)
    question = next(q for q in form.questions() if q.name == "recommande")
    scores = np.array(Answer.objects.filter(survey=demo_survey, question="recommande").values_list("number", flat=True))
    sql = results.nps(demo_survey, question, weighted=False)
    engine = surveystats.net_promoter_score(scores)
    assert sql["score"] == pytest.approx(engine.score) and sql["low"] == pytest.approx(engine.low)
    mean = results.mean(demo_survey, question, weighted=False)
    assert mean["mean"] == pytest.approx(surveystats.mean(scores).estimate)
    assert mean["low"] == pytest.approx(surveystats.mean(scores).low)
    pride = next(q for q in form.questions() if q.name == "fierte")
    codes = list(Answer.objects.filter(survey=demo_survey, question="fierte").values_list("choice", flat=True))
    table = surveystats.frequencies(codes, categories=["1", "2", "3", "4", "5"])
    sql_rows = results.frequencies(demo_survey, pride, weighted=False)["options"]
    for sql_row, (_i, row) in zip(sql_rows, table.iterrows(), strict=True):
        assert sql_row["suppressed"] == row["suppressed"]
        if sql_row["suppressed"]:
            continue
        assert sql_row["share"] == pytest.approx(row["share"]) and sql_row["high"] == pytest.approx(row["high"])


def check_the_results_page(client, users, demo_survey):
    client.force_login(users["team"])
    url = reverse("consultation:results", kwargs={"slug": "drome", "survey": demo.SLUG})
    html = client.get(url + "?segment=zone").content.decode()
    assert "données simulées" in html
    assert "<svg" in html and "Dimension" in html  # hexagon and its accessible table
    assert "khi-deux" in html
    json_data = client.get(url + "?format=json").json()
    assert json_data["n"] == 3000 and json_data["simulated"] == 3000
