"""Barometer waves: two simulated waves, the change in aided awareness checked against an independent
computation from the raw answers, KPIs refreshed when a wave closes, and the CLI contract."""

import io
import json
import math

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from scipy import optimize, stats

from atout.actions.models import Kpi, KpiSource
from atout.consultation import barometer
from atout.consultation.models import Answer, Response, Survey, Wave
from atout.strategy.models import Objective

SLUG = "barometre-test"


def run(group: str, *args) -> dict:
    out = io.StringIO()
    call_command(group, *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def simulate_wave(survey: Survey, rng, *, n: int, aware: float, proud: float) -> dict:
    """Submitted responses (not yet stamped with a wave) answering the bank's questions: 70 % of
    non-residents (aided awareness), 30 % of residents (pride); each with a weight. Returns the raw
    data the test recomputes from."""
    raw = {"aware": [], "aware_w": [], "proud": [], "proud_w": []}
    responses = []
    for _ in range(n):
        weight = float(rng.lognormal(0, 0.5))
        responses.append(Response(survey=survey, version=survey.current_version, status=Response.Status.SUBMITTED,
                                  weight=weight, simulated=True, source="test",
                                  submitted_at=timezone.now()))
    Response.objects.bulk_create(responses)
    answers = []
    for response in responses:
        resident = rng.random() < 0.3
        rows = [("repondant", "particulier"), ("residence_region", "84" if resident else "11"),
                ("residence_departement", "26" if resident else "75")]
        if resident:
            value = "5" if rng.random() < proud else str(rng.choice(["1", "2", "3"]))
            rows.append(("fierte", value))
            raw["proud"].append(value in ("4", "5"))
            raw["proud_w"].append(response.weight)
        else:
            value = "oui_nom" if rng.random() < aware else "non"
            rows.append(("notoriete_assistee", value))
            raw["aware"].append(value != "non")
            raw["aware_w"].append(response.weight)
        answers += [Answer(survey=survey, response=response, question=q, choice=c,
                           number=float(c) if c.isdigit() and q == "fierte" else None) for q, c in rows]
    Answer.objects.bulk_create(answers)
    return raw


def wilson(p: float, n: float, z: float) -> tuple[float, float]:
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def newcombe(p1, n1, p2, n2, z):
    l1, u1 = wilson(p1, n1, z)
    l2, u2 = wilson(p2, n2, z)
    d = p2 - p1
    return d - math.hypot(p2 - l2, u1 - p1), d + math.hypot(u2 - p2, p1 - l1)


def weighted_share(successes, weights) -> tuple[float, float]:
    w = np.asarray(weights, dtype=float)
    s = np.asarray(successes, dtype=bool)
    return float((w * s).sum() / w.sum()), float(w.sum() ** 2 / (w**2).sum())


@pytest.fixture
def barometer_survey(drome):
    created = run("barometer", "create", "--process", "drome", "--slug", SLUG, "--the", "la Drôme",
                  "--in", "dans la Drôme", "--the-en", "the Drôme", "--alias", "Drôme")
    assert created["survey"] == SLUG and "notoriete_assistee" in created["measures"] and "fierte" in created["measures"]
    run("barometer", "add-wave", "--survey", f"drome/{SLUG}", "--wave", "v2025", "--label", "Vague 2025", "--year", "2025",
        "--start", "2025-03-01", "--end", "2025-03-31")
    run("barometer", "add-wave", "--survey", f"drome/{SLUG}", "--wave", "v2026", "--label", "Vague 2026", "--year", "2026")
    return Survey.objects.get(process=drome, slug=SLUG)


def test_two_waves_change_in_aided_awareness_matches_an_independent_computation_and_kpis_follow(barometer_survey, drome):
    survey = barometer_survey
    rng = np.random.default_rng(20)
    objective = Objective.objects.filter(process=drome).first() or Objective.objects.create(
        process=drome, code="notoriete", title="Faire connaître la Drôme", axis=drome.axes.first())
    kpi = Kpi.objects.create(process=drome, objective=objective, source=KpiSource.SURVEY, survey=survey,
                             metric="notoriete_assistee", label="Notoriété assistée", unit="%",
                             baseline_value=50, baseline_year=2025, target_value=65, target_year=2028)
    pride = Kpi.objects.create(process=drome, objective=objective, source=KpiSource.SURVEY, survey=survey,
                               metric="fierte", audience="resident", label="Fierté d'appartenance", unit="%",
                               baseline_value=60, baseline_year=2025, target_value=70, target_year=2028)

    run("barometer", "open", "--survey", SLUG, "--wave", "v2025")
    survey.refresh_from_db()
    assert survey.status == Survey.Status.OPEN
    with pytest.raises(CommandError, match="wave 'v2025' of survey 'barometre-test' is still open"):
        run("barometer", "open", "--survey", SLUG, "--wave", "v2026")
    first = simulate_wave(survey, rng, n=700, aware=0.52, proud=0.62)
    closed = run("barometer", "close", "--survey", SLUG, "--wave", "v2025")
    assert closed["responses"] == 700 and closed["stamped"] == 700
    assert Response.objects.filter(survey=survey, wave__slug="v2025").count() == 700
    assert {k["label"]: [w["year"] for w in k["written"]] for k in closed["kpis"]} == {
        "Notoriété assistée": [2025], "Fierté d'appartenance": [2025]}
    assert not kpi.measurements.filter(year=2026).exists()

    run("barometer", "open", "--survey", SLUG, "--wave", "v2026")
    second = simulate_wave(survey, rng, n=800, aware=0.61, proud=0.66)
    closed = run("barometer", "close", "--survey", SLUG, "--wave", "v2026")
    assert closed["stamped"] == 800

    # Independent computation from the raw answers: weighted shares, Kish effective bases,
    # Newcombe's hybrid score interval from the Wilson intervals on those bases.
    p1, n1 = weighted_share(first["aware"], first["aware_w"])
    p2, n2 = weighted_share(second["aware"], second["aware_w"])
    z = stats.norm.ppf(0.975)
    low, high = newcombe(p1, n1, p2, n2, z)
    p_value = 2 * stats.norm.sf(optimize.brentq(lambda q: newcombe(p1, n1, p2, n2, q)[0], 0.01, 30))

    result = run("barometer", "compare", "--survey", SLUG, "--waves", "v2025,v2026")
    assert (result["first_wave"], result["second_wave"]) == ("v2025", "v2026")
    row = next(r for r in result["measures"] if r["measure"] == "notoriete_assistee")
    assert row["kind"] == "proportion" and row["label"] == "Notoriété assistée (connaît, au moins de nom)"
    assert row["first"]["estimate"] == pytest.approx(p1, abs=1e-9)
    assert row["second"]["estimate"] == pytest.approx(p2, abs=1e-9)
    assert row["first"]["n_effective"] == pytest.approx(n1, rel=1e-9)
    assert row["first"]["n"] == len(first["aware"])
    assert row["first"]["deff"] == pytest.approx(len(first["aware"]) / n1, rel=1e-9)
    assert row["difference"] == pytest.approx(p2 - p1, abs=1e-9)
    assert (row["low"], row["high"]) == (pytest.approx(low, abs=1e-9), pytest.approx(high, abs=1e-9))
    assert row["p_value"] == pytest.approx(p_value, rel=1e-6)
    assert low > 0 and row["reading"] == "increase"
    # Every measure row has the contract's keys.
    for measure in result["measures"]:
        assert set(measure) >= {"measure", "label", "kind", "first", "second", "difference", "low", "high", "p_value", "reading"}
        assert set(measure["first"]) == {"estimate", "low", "high", "n", "n_effective", "deff"}

    # The KPIs linked to the measures got the second wave when it closed.
    assert kpi.measurements.get(year=2025).value == pytest.approx(round(100 * p1, 2))
    assert kpi.measurements.get(year=2026).value == pytest.approx(round(100 * p2, 2))
    proud_share, _ = weighted_share(second["proud"], second["proud_w"])
    assert pride.measurements.get(year=2026).value == pytest.approx(round(100 * proud_share, 2))
    assert "vague Vague 2026" in kpi.measurements.get(year=2026).source


def test_audiences_trend_and_refresh_command(barometer_survey, drome):
    survey = barometer_survey
    rng = np.random.default_rng(3)
    for slug, aware in (("v2025", 0.5), ("v2026", 0.6)):
        barometer.open_wave(barometer.find_wave(survey, slug))
        simulate_wave(survey, rng, n=300, aware=aware, proud=0.6)
        barometer.close_wave(barometer.find_wave(survey, slug))
    residents = run("barometer", "compare", "--survey", SLUG, "--waves", "v2025,v2026", "--audience", "resident")
    aware = next(r for r in residents["measures"] if r["measure"] == "notoriete_assistee")
    assert aware["reading"] == "no_data"  # residents are not asked whether they know their own territory
    proud = next(r for r in residents["measures"] if r["measure"] == "fierte")
    assert proud["first"]["n"] > 50 and residents["audience"] == "resident"

    trend = run("barometer", "trend", "--survey", SLUG)
    row = next(r for r in trend["measures"] if r["measure"] == "notoriete_assistee")
    assert [p["year"] for p in row["points"]] == [2025, 2026]
    assert row["reading"] == "not_enough_waves"

    waves = run("barometer", "waves", "--survey", SLUG)
    assert [(w["slug"], w["status"], w["responses"]) for w in waves["waves"]] == [("v2025", "closed", 300), ("v2026", "closed", 300)]

    objective = Objective.objects.filter(process=drome).first()
    kpi = Kpi.objects.create(process=drome, objective=objective, source=KpiSource.ENGAGEMENT, metric="survey_responses",
                             label="Réponses", baseline_value=0, baseline_year=2025, target_value=1, target_year=2026)
    report = run("actions", "refresh-kpis", "--process", "drome")
    mine = next(k for k in report["kpis"] if k["kpi"] == kpi.pk)
    assert sum(w["value"] for w in mine["written"]) == Response.objects.filter(
        survey__process=drome, status=Response.Status.SUBMITTED, submitted_at__isnull=False).count()


def test_errors_name_the_survey_wave_and_option(barometer_survey):
    with pytest.raises(CommandError, match="no wave 'v2030'.*waves: v2025, v2026"):
        run("barometer", "compare", "--survey", SLUG, "--waves", "v2025,v2030")
    with pytest.raises(CommandError, match="exactly two wave slugs"):
        run("barometer", "compare", "--survey", SLUG, "--waves", "v2025")
    with pytest.raises(CommandError, match="only an open wave closes"):
        run("barometer", "close", "--survey", SLUG, "--wave", "v2025")
    with pytest.raises(CommandError, match="already has a wave 'v2025'"):
        run("barometer", "add-wave", "--survey", SLUG, "--wave", "v2025", "--label", "x", "--year", "2025")
    with pytest.raises(CommandError, match="ends .* before it starts"):
        run("barometer", "add-wave", "--survey", SLUG, "--wave", "v9", "--label", "x", "--year", "2027",
            "--start", "2027-05-01", "--end", "2027-04-01")
    assert Wave.objects.filter(survey=barometer_survey).count() == 2


def test_demo_barometer_has_two_labelled_simulated_waves_and_kpis_on_awareness_and_pride(drome):
    from atout.actions.barometer_demo import SLUG as DEMO_SLUG

    survey = Survey.objects.get(process=drome, slug=DEMO_SLUG)
    waves = list(survey.waves.all())
    assert [(w.slug, w.year, w.status, w.simulated) for w in waves] == [
        ("2025", 2025, "closed", True), ("2026", 2026, "closed", True)]
    assert not Response.objects.filter(survey=survey, simulated=False).exists()
    kpis = {k.metric: k for k in Kpi.objects.filter(process=drome, survey=survey)}
    assert set(kpis) == {"notoriete_assistee", "fierte"}
    for kpi in kpis.values():
        assert sorted(kpi.measurements.values_list("year", flat=True)) == [2025, 2026]
        assert "données simulées" in kpi.measurements.get(year=2026).source
    result = run("barometer", "compare", "--survey", f"drome/{DEMO_SLUG}", "--waves", "2025,2026", "--audience", "non_resident")
    aware = next(r for r in result["measures"] if r["measure"] == "notoriete_assistee")
    assert result["simulated"] and aware["reading"] == "increase"
    assert aware["first"]["estimate"] * 100 == pytest.approx(kpis["notoriete_assistee"].measurements.get(year=2025).value, abs=0.01)


def test_barometer_page_shows_waves_compared_with_charts_and_tables_for_the_team_only(client, drome, users):
    from django.urls import reverse

    from atout.actions.barometer_demo import SLUG as DEMO_SLUG

    url = reverse("consultation:barometer", kwargs={"slug": "drome", "survey": DEMO_SLUG})
    client.force_login(users["participant"])
    assert client.get(url).status_code == 403
    client.force_login(users["team"])
    page = client.get(url).content.decode()
    assert "données simulées" in page and "Vague 2025 et Vague 2026 comparées" in page
    assert "Notoriété assistée (connaît, au moins de nom)" in page and "hausse significative" in page
    assert page.count('role="img"') >= 10 and page.count("<svg") == page.count('class="compact"')
    non_residents = client.get(url, {"de": "2025", "a": "2026", "public": "non_resident"}).content.decode()
    assert '<option value="non_resident" selected>' in non_residents

    # Add a wave with a bad date range: the problem is named at its field and nothing is added.
    bad = client.post(url, {"action": "add", "wave": "2027", "label": "Vague 2027", "year": "2027",
                            "start": "2027-04-01", "end": "2027-03-01"})
    assert "La fin du terrain précède son début." in bad.content.decode()
    assert not Wave.objects.filter(survey__slug=DEMO_SLUG, slug="2027").exists()
    client.post(url, {"action": "add", "wave": "2027", "label": "Vague 2027", "year": "2027"})
    client.post(url, {"action": "open", "wave": "2027"})
    wave = Wave.objects.get(survey__slug=DEMO_SLUG, slug="2027")
    assert wave.status == "open" and wave.survey.status == "open"
    response = client.post(url, {"action": "close", "wave": "2027"}, follow=True)
    wave.refresh_from_db()
    assert wave.status == "closed" and "close : 0 réponses, 2 indicateurs de suivi mis à jour" in response.content.decode()


def test_api_gives_waves_compare_and_trend_of_a_closed_barometer(client, drome):
    from atout.actions.barometer_demo import SLUG as DEMO_SLUG

    base = f"/api/v1/processes/drome/surveys/{DEMO_SLUG}/waves"
    waves = client.get(base).json()
    assert [(w["slug"], w["status"], w["simulated"]) for w in waves["waves"]] == [("2025", "closed", True), ("2026", "closed", True)]
    compared = client.get(f"{base}/compare", {"audience": "resident"}).json()
    cli = run("barometer", "compare", "--survey", f"drome/{DEMO_SLUG}", "--waves", "2025,2026", "--audience", "resident")
    assert compared["measures"] == cli["measures"] and compared["first_wave"] == "2025"
    assert client.get(f"{base}/compare", {"first": "2025", "second": "1999"}).status_code == 404
    trend = client.get(f"{base}/trend").json()
    assert trend["waves"] == ["2025", "2026"] and trend["measures"][0]["points"][0]["year"] == 2025


def test_one_wave_and_one_audience_are_weighted_to_their_own_margins(barometer_survey, tmp_path):
    survey = barometer_survey
    rng = np.random.default_rng(9)
    barometer.open_wave(barometer.find_wave(survey, "v2025"))
    simulate_wave(survey, rng, n=400, aware=0.5, proud=0.6)
    barometer.close_wave(barometer.find_wave(survey, "v2025"))
    # Profiles: 70 % women in the sample; residents are to be weighted to 50/50.
    responses = list(Response.objects.filter(survey=survey).order_by("pk"))
    for response in responses:
        response.sex = "F" if rng.random() < 0.7 else "M"
    Response.objects.bulk_update(responses, ["sex"])
    Response.objects.filter(survey=survey).update(weight=None)
    margins = tmp_path / "margins.csv"
    margins.write_text("variable,category,target\nsex,F,0.5\nsex,M,0.5\n")
    result = run("barometer", "weight", "--survey", SLUG, "--wave", "v2025", "--margins", str(margins),
                 "--audience", "resident")
    wave = barometer.find_wave(survey, "v2025")
    residents = barometer.wave_data(wave, audience="resident")
    assert result["weighted"] == len(residents.answers) and residents.weights is not None
    # The residents' weighted share of women is the margin; the non-residents keep no weight.
    _ids, answers, weights = barometer._wave_table(wave, barometer._form(survey))
    members = barometer._members(survey, answers, "resident")
    sexes = list(Response.objects.filter(survey=survey).order_by("pk").values_list("sex", flat=True))
    women = sum(w for w, s, m in zip(weights, sexes, members, strict=True) if m and s == "F")
    total = sum(w for w, m in zip(weights, members, strict=True) if m)
    assert women / total == pytest.approx(0.5, abs=1e-6)
    assert all(w is None for w, m in zip(weights, members, strict=True) if not m)
    assert barometer.wave_data(wave).weights is None  # all respondents: not every one is weighted
    with pytest.raises(CommandError, match="unknown audience|invalid choice"):
        run("barometer", "weight", "--survey", SLUG, "--wave", "v2025", "--margins", str(margins), "--audience", "x")


def test_the_team_adds_a_kpi_following_a_barometer_measure_from_the_action_page(client, drome, users):
    from django.urls import reverse

    from atout.actions.barometer_demo import SLUG as DEMO_SLUG

    survey = Survey.objects.get(process=drome, slug=DEMO_SLUG)
    client.force_login(users["team"])
    page = client.get(reverse("actions:action", kwargs={"slug": "drome", "code": "A2"})).content.decode()
    assert f'value="survey:{survey.pk}:recommande"' in page and 'value="engagement:survey_responses"' in page
    url = reverse("actions:kpi_add", kwargs={"slug": "drome", "code": "A2"})
    common = {"unit": "points", "baseline_value": "10", "baseline_year": "2025", "target_value": "20", "target_year": "2029"}
    client.post(url, {**common, "indicator": "", "measure": ""})  # neither: refused, nothing added
    assert not Kpi.objects.filter(process=drome, metric="recommande").exists()
    client.post(url, {**common, "indicator": "", "measure": f"survey:{survey.pk}:recommande"})
    kpi = Kpi.objects.get(process=drome, metric="recommande")
    assert (kpi.source, kpi.survey, kpi.action.code) == ("survey", survey, "A2")
    assert kpi.label.startswith("Recommanderiez-vous la Drôme")
    assert sorted(kpi.measurements.values_list("year", flat=True)) == [2025, 2026]
