"""Read and write endpoints: what each answers, for whom, and what it changes."""

import pytest
from django.urls import reverse

from atout.actions.models import Action, Kpi, Measurement, ProgressUpdate
from atout.consultation.models import Survey
from atout.diagnostic.models import Indicator, Observation
from atout.processes.models import Process
from atout.strategy.models import Evidence
from atout.territories.models import Territory

from .conftest import assert_error, bearer

V1 = "/api/v1"


# ------------------------------------------------------------------------------ territories

def test_it_lists_departements_with_pagination(client, drome):
    page = client.get(f"{V1}/territories", {"level": "departement", "limit": 10, "offset": 5}).json()
    assert page["count"] == Territory.objects.filter(level="departement").count() >= 1
    assert page["limit"] == 10 and page["offset"] == 5
    assert len(page["items"]) == min(10, max(page["count"] - 5, 0))
    assert all(t["level"] == "departement" for t in page["items"])


def test_it_lists_the_epcis_of_a_departement(client, drome):
    page = client.get(f"{V1}/territories", {"parent": "dep:26", "level": "epci", "limit": 500}).json()
    expected = set(Territory.objects.get(level="departement", code="26").epcis().values_list("code", flat=True))
    assert {t["code"] for t in page["items"]} == expected and expected


def test_it_finds_a_territory_by_name(client, drome):
    items = client.get(f"{V1}/territories", {"q": "Valence", "level": "commune"}).json()["items"]
    assert any(t["key"] == "com:26362" for t in items)


def test_a_name_is_found_whatever_the_case_of_its_accented_letters(client, drome):
    for q in ("étoile", "ÉTOILE-SUR-RHÔNE", "Étoile"):
        items = client.get(f"{V1}/territories", {"q": q, "parent": "dep:26", "level": "commune"}).json()["items"]
        assert [t["key"] for t in items] == ["com:26124"], q


def test_it_shows_one_territory(client, drome):
    body = client.get(f"{V1}/territories/dep:26").json()
    assert body["name"] == "Drôme" and body["key"] == "dep:26"
    assert body["communes"] == Territory.objects.get(level="departement", code="26").communes().count()
    assert body["parent"] == body["parents"][0]


def test_an_unknown_territory_is_a_404_with_the_error_shape(client, db):
    error = assert_error(client.get(f"{V1}/territories/dep:999"), 404, "not_found")
    assert "dep:999" in error["message"]


def test_an_unknown_parent_names_the_parameter(client, db):
    error = assert_error(client.get(f"{V1}/territories", {"parent": "dep:999"}), 422, "validation_error")
    assert error["details"][0]["loc"] == ["query", "parent"]


def test_a_limit_above_the_maximum_is_refused(client, db):
    error = assert_error(client.get(f"{V1}/territories", {"limit": 501}), 422, "validation_error")
    assert error["details"][0]["loc"][-1] == "limit"


# ------------------------------------------------------------------------------- indicators

def test_it_lists_and_shows_indicators(client, drome):
    page = client.get(f"{V1}/indicators", {"limit": 500}).json()
    assert page["count"] == Indicator.objects.count() > 0
    first = page["items"][0]
    body = client.get(f"{V1}/indicators/{first['code']}").json()
    assert body["label_fr"] == Indicator.objects.get(code=first["code"]).label_fr
    english = client.get(f"{V1}/indicators/{first['code']}", HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["label"] == english["label_en"]


def test_it_searches_the_indicators(client, drome):
    # Any case matches, in the code and in either label.
    found = {i["code"] for i in client.get(f"{V1}/indicators", {"q": "EMPLOI", "limit": 500}).json()["items"]}
    expected = {i.code for i in Indicator.objects.all()
                if any("emploi" in text.lower() for text in (i.code, i.label_fr, i.label_en))}
    assert found == expected and len(expected) > 1


def test_it_filters_observations(client, drome):
    sample = Observation.objects.filter(series__isnull=False, value__isnull=False).select_related("territory", "series").first()
    page = client.get(f"{V1}/observations", {"series": sample.series.code, "territory": sample.territory.key,
                                               "year": sample.year}).json()
    assert page["count"] >= 1
    assert all(o["series"] == sample.series.code and o["territory"] == sample.territory.key for o in page["items"])
    assert any(o["value"] == pytest.approx(sample.value) for o in page["items"])


def test_it_computes_figures_for_a_territory(client, drome):
    from atout.diagnostic.analysis import value_of

    code = Indicator.objects.order_by("order", "code").first().code
    body = client.get(f"{V1}/territories/dep:26/values", {"indicator": code}).json()
    expected = value_of(Territory.objects.get(level="departement", code="26"), code)
    assert body["values"][0]["indicator"] == code
    assert body["values"][0]["value"] == expected.value and body["values"][0]["origin"] == expected.origin


def test_an_unknown_indicator_is_named(client, drome):
    error = assert_error(client.get(f"{V1}/territories/dep:26/values", {"indicator": "nope"}), 422, "validation_error")
    assert "nope" in error["message"]


# -------------------------------------------------------------------------------- processes

def test_a_draft_process_is_seen_by_its_team_only(client, drome, keys):
    Process.objects.filter(pk=drome.pk).update(status=Process.Status.DRAFT)
    assert "drome" not in [p["slug"] for p in client.get(f"{V1}/processes").json()["items"]]
    assert_error(client.get(f"{V1}/processes/drome"), 404, "not_found")
    assert_error(client.get(f"{V1}/processes/drome", **bearer(keys["write_other"])), 404, "not_found")
    assert client.get(f"{V1}/processes/drome", **bearer(keys["write_team"])).json()["status"] == "draft"
    team_list = client.get(f"{V1}/processes", **bearer(keys["write_team"])).json()["items"]
    assert "drome" in [p["slug"] for p in team_list]


def test_it_shows_a_process_with_phases_and_axes(client, drome):
    body = client.get(f"{V1}/processes/drome").json()
    assert body["territory"] == drome.territory.key
    assert [a["code"] for a in body["axes"]] == list(drome.axes.values_list("code", flat=True))


# ---------------------------------------------------------------------------------- surveys

def demo_survey(drome) -> Survey:
    return Survey.objects.filter(process=drome).exclude(current_version=None).order_by("pk").first()


def test_results_of_an_open_survey_are_for_the_team(client, drome, keys):
    survey = demo_survey(drome)
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.OPEN)
    url = f"{V1}/processes/drome/surveys/{survey.slug}/results"
    assert_error(client.get(url), 404, "not_found")
    assert_error(client.get(url, **bearer(keys["write_other"])), 404, "not_found")
    body = client.get(url, **bearer(keys["write_team"])).json()
    assert body["survey"] == survey.slug and body["n"] > 0
    listed = client.get(f"{V1}/processes/drome/surveys").json()
    assert [s for s in listed if s["slug"] == survey.slug][0]["responses"] is None


def test_results_of_a_closed_survey_are_public_and_suppress_small_cells(client, drome):
    from atout.consultation.results import cached_results

    survey = demo_survey(drome)
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.CLOSED)
    body = client.get(f"{V1}/processes/drome/surveys/{survey.slug}/results", {"segment": "zone"}).json()
    survey.refresh_from_db()
    expected = cached_results(survey, language="fr", segments=["zone"])
    assert body["n"] == expected["n"] > 0 and body["questions"] == expected["questions"]
    cells = [c for q in body["questions"] for t in q.get("crosstabs", []) for row in t["cells"] for c in row]
    options = [o for q in body["questions"] if "frequencies" in q for o in q["frequencies"]["options"]]
    assert cells and options
    assert any(c["suppressed"] for c in cells + options)
    assert all(c["share"] is None for c in cells + options if c["suppressed"])
    assert all(o["count"] is None or o["count"] >= body["k"] for o in options)
    assert_error(client.get(f"{V1}/processes/drome/surveys/{survey.slug}/results", {"segment": "shoe"}), 422,
                 "validation_error")


def test_a_draft_survey_is_not_listed_publicly(client, drome, keys):
    survey = demo_survey(drome)
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.DRAFT)
    assert survey.slug not in [s["slug"] for s in client.get(f"{V1}/processes/drome/surveys").json()]
    assert survey.slug in [s["slug"] for s in client.get(f"{V1}/processes/drome/surveys", **bearer(keys["write_team"])).json()]


def test_quotas_are_for_the_team_even_with_a_read_token_and_match_the_cli(client, drome, keys, users):
    import io
    import json

    from django.core.management import call_command

    from atout.api.tokens import create_token

    survey = demo_survey(drome)
    assert survey.quotas.count() == 25  # the demo's INSEE quotas (age band × sub-territory)
    url = f"{V1}/processes/drome/surveys/{survey.slug}/quotas"
    team_read = create_token(users["team"], "lecture équipe", "read")[1]
    body = client.get(url, **bearer(team_read)).json()
    out = io.StringIO()
    call_command("survey", "quotas", survey.slug, "--process", "drome", "--json", stdout=out)
    assert body == json.loads(out.getvalue())
    assert body["survey"] == survey.slug and body["process"] == "drome" and len(body["cells"]) == 25
    assert body["total"]["count"] == sum(c["count"] for c in body["cells"]) > 0
    assert all(c["source"] == "insee" and c["population"] > 0 for c in body["cells"])
    # Back-office data: never public, whatever the survey's status; others cannot tell it exists.
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.CLOSED)
    assert_error(client.get(url), 404, "not_found")
    assert_error(client.get(url, **bearer(keys["read"])), 404, "not_found")
    assert_error(client.get(url, **bearer(keys["write_other"])), 404, "not_found")
    assert_error(client.get(f"{V1}/processes/drome/surveys/inconnue/quotas", **bearer(team_read)), 404, "not_found")
    assert client.get(url, **bearer(keys["write_team"])).status_code == 200


# ----------------------------------------------------------------------- themes and opinion

def test_only_published_theme_runs_are_public(client, drome, keys):
    from atout.fieldwork.models import ThemeRun

    done = ThemeRun.objects.filter(process=drome, status=ThemeRun.Status.DONE)
    public = client.get(f"{V1}/processes/drome/themes").json()
    assert {r["id"] for r in public} == set(done.filter(published=True).values_list("pk", flat=True))
    for run in public:
        for theme in run["themes"]:
            assert theme["size"] is None or theme["size"] >= run["small_cell"]
            assert len(theme["quotes"]) <= 3
    team = client.get(f"{V1}/processes/drome/themes", **bearer(keys["write_team"])).json()
    assert {r["id"] for r in team} == set(done.values_list("pk", flat=True))


def test_opinion_groups_come_with_their_statements(client, drome):
    from atout.opinion.models import Conversation

    conv = Conversation.objects.filter(process=drome, analyses__isnull=False).distinct().first()
    listed = client.get(f"{V1}/processes/drome/conversations").json()
    assert [c for c in listed if c["slug"] == conv.slug][0]["analysed"] is True
    body = client.get(f"{V1}/processes/drome/conversations/{conv.slug}/results").json()
    analysis = conv.latest_analysis()
    assert len(body["groups"]) == len(analysis.result["groups"])
    assert "participants" not in body and "points" not in body
    texts = dict(conv.statements.values_list("number", "text"))
    for group in body["groups"]:
        for item in group["representative"]:
            assert item["text"] == texts[item["statement"]]


# ---------------------------------------------------------------------------------- actions

def test_actions_come_with_their_rolled_up_progress(client, drome):
    from atout.actions.services import rollup

    page = client.get(f"{V1}/processes/drome/actions", {"limit": 500}).json()
    figures = rollup(drome)
    assert page["count"] == Action.objects.filter(process=drome).count() > 0
    for item in page["items"]:
        expected = figures.actions[item["code"]]
        assert item["progress"] == (None if expected is None else round(expected, 2))
        assert item["late"] == (item["code"] in figures.late)


def test_non_public_evidence_of_an_action_is_for_the_team(client, drome, keys):
    action = Action.objects.filter(process=drome).first()
    hidden = Evidence.objects.create(process=drome, kind=Evidence.Kind.DOCUMENT, title="Note interne", source="équipe",
                                     public=False)
    action.link_evidence(hidden)
    url = f"{V1}/processes/drome/actions/{action.code}"
    assert hidden.pk not in [e["id"] for e in client.get(url).json()["evidence"]]
    assert hidden.pk in [e["id"] for e in client.get(url, **bearer(keys["write_team"])).json()["evidence"]]
    assert hidden.pk not in [e["id"] for e in client.get(f"{V1}/processes/drome/evidence", {"limit": 500}).json()["items"]]


def test_progress_and_kpis(client, drome):
    progress = client.get(f"{V1}/processes/drome/progress").json()
    assert set(progress["axes"]) == set(drome.axes.values_list("code", flat=True)) | set(progress["axes"])
    kpis = client.get(f"{V1}/processes/drome/kpis").json()
    assert len(kpis) == Kpi.objects.filter(process=drome).count()


# ----------------------------------------------------------------------------------- writes

def test_a_team_member_records_a_progress_update(client, drome, keys, users):
    action = Action.objects.filter(process=drome).first()
    response = client.post(f"{V1}/processes/drome/actions/{action.code}/progress",
                           {"status": "in_progress", "progress": 40, "note": "chantier lancé"},
                           content_type="application/json", **bearer(keys["write_team"]))
    assert response.status_code == 201, response.content
    action.refresh_from_db()
    assert (action.status, action.progress) == ("in_progress", 40)
    update = ProgressUpdate.objects.filter(action=action).first()
    assert (update.author, update.note, update.progress) == (users["team"], "chantier lancé", 40)
    assert response.json()["updates"][0]["author"] == "equipe"


@pytest.mark.parametrize("who,status,code", [(None, 401, "unauthorized"), ("read", 403, "forbidden"),
                                             ("write_other", 403, "forbidden")])
def test_others_cannot_record_progress(client, drome, keys, who, status, code):
    action = Action.objects.filter(process=drome).first()
    before = (action.status, action.progress, ProgressUpdate.objects.count())
    headers = bearer(keys[who]) if who else {}
    response = client.post(f"{V1}/processes/drome/actions/{action.code}/progress", {"status": "done"},
                           content_type="application/json", **headers)
    assert_error(response, status, code)
    action.refresh_from_db()
    assert (action.status, action.progress, ProgressUpdate.objects.count()) == before


def test_a_bad_progress_is_refused_with_details(client, drome, keys):
    action = Action.objects.filter(process=drome).first()
    url = f"{V1}/processes/drome/actions/{action.code}/progress"
    error = assert_error(client.post(url, {"status": "finished", "progress": 140}, content_type="application/json",
                                     **bearer(keys["write_team"])), 422, "validation_error")
    assert {tuple(d["loc"]) for d in error["details"]} == {("body", "status"), ("body", "progress")}
    assert_error(client.post(url, "{not json", content_type="application/json", **bearer(keys["write_team"])), 400,
                 "bad_request")
    assert_error(client.post(f"{V1}/processes/drome/actions/nope/progress", {"status": "done"},
                             content_type="application/json", **bearer(keys["write_team"])), 404, "not_found")


def test_a_team_member_records_a_kpi_measurement(client, drome, keys):
    kpi = Kpi.objects.filter(process=drome).first()
    url = f"{V1}/processes/drome/kpis/{kpi.pk}/measurements/2031"
    response = client.put(url, {"value": 12.5, "source": "INSEE 2031"}, content_type="application/json",
                          **bearer(keys["write_team"]))
    assert response.status_code == 200, response.content
    assert response.json()["year"] == 2031 and response.json()["value"] == 12.5
    client.put(url, {"value": 13.0}, content_type="application/json", **bearer(keys["write_team"]))
    assert list(Measurement.objects.filter(kpi=kpi, year=2031).values_list("value", "source")) == [(13.0, "")]
    assert_error(client.put(url, {"value": 1}, content_type="application/json", **bearer(keys["read"])), 403, "forbidden")


# --------------------------------------------------------------------- auth, errors, limits

def test_a_wrong_token_is_refused_not_ignored(client, db):
    assert_error(client.get(f"{V1}/territories", **bearer("atout_wrong")), 401, "unauthorized")
    assert_error(client.get(f"{V1}/territories", HTTP_AUTHORIZATION="Token abc"), 401, "unauthorized")
    response = client.get(f"{V1}/me")
    assert_error(response, 401, "unauthorized")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_anonymous_callers_are_rate_limited(client, db, settings):
    settings.ATOUT_API_RATE_ANON = "3/min"
    for _ in range(3):
        assert client.get(f"{V1}/indicators", {"limit": 1}).status_code == 200
    response = client.get(f"{V1}/indicators", {"limit": 1})
    assert_error(response, 429, "rate_limited")
    assert int(response["Retry-After"]) > 0


def test_each_token_has_its_own_limit(client, db, settings, keys):
    settings.ATOUT_API_RATE_ANON = "1/min"
    settings.ATOUT_API_RATE_TOKEN = "2/min"
    assert client.get(f"{V1}/indicators", {"limit": 1}).status_code == 200
    assert client.get(f"{V1}/indicators", {"limit": 1}).status_code == 429
    for _ in range(2):
        assert client.get(f"{V1}/indicators", {"limit": 1}, **bearer(keys["read"])).status_code == 200
    assert client.get(f"{V1}/indicators", {"limit": 1}, **bearer(keys["read"])).status_code == 429
    assert client.get(f"{V1}/indicators", {"limit": 1}, **bearer(keys["write_team"])).status_code == 200


def test_an_unknown_api_address_answers_json(client, db):
    assert_error(client.get(f"{V1}/nothing/here"), 404, "not_found")


def test_the_docs_page_uses_local_assets(client, db):
    response = client.get(reverse("api:docs"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "/static/ninja/swagger-ui-bundle.js" in html and "cdn" not in html.lower()
    assert reverse("api:v1:openapi-json") == "/api/v1/openapi.json"
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "atout API"
    assert client.get("/static/ninja/swagger-ui-bundle.js").status_code in (200, 404)


def test_api_writes_are_in_the_audit_log_under_the_tokens_user(client, drome, keys, users):
    from atout.core.models import AuditEntry

    action = Action.objects.filter(process=drome).first()
    client.post(f"{V1}/processes/drome/actions/{action.code}/progress", {"status": "done"},
                content_type="application/json", **bearer(keys["write_team"]))
    entry = AuditEntry.objects.filter(object_type="actions.Action", object_id=str(action.pk)).first()
    assert entry is not None and entry.user == users["team"] and entry.process_id == drome.pk
