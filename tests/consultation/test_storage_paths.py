"""One entry point stores every submission (services.store_submission), through one of two paths: the
one-statement path (PostgreSQL, a public response with no invitation and no quota closing when full)
and the ORM steps (everywhere). The same submissions are stored through each path available on the
database under test, and what each leaves in the database must be the same and as expected: the
response row, its answer rows, the rate count, the refusals (duplicate, rate limit, used invitation,
closed survey), the invitation used and the quota screen-out."""

import pytest
from django.db import connection, transaction

from atout.consultation import quotas, services
from atout.consultation.models import Answer, Invitation, RateBucket, Response, Survey

from .forms import import_survey

#: The columns that must be equal whatever the path (the others are drawn or dated at storing).
DRAWN = ("id", "receipt", "started_at", "submitted_at", "consent_at", "fingerprint")
COMPARED = [f.attname for f in Response._meta.concrete_fields if f.attname not in DRAWN]
ADDRESS = "203.0.113.7"


def answers(**changes):
    given = {"habite": "oui", "annees": 12, "atouts": ["nature", "climat"], "atouts_other": "", "recommande": 9,
             "hex_people_accueil": "4", "hex_place_nature": "5", "attractive": "Les paysages",
             "profil_age": "30-44", "profil_sexe": "F", "profil_commune": "26362", "profil_statut": "resident"}
    return given | changes


@pytest.fixture
def survey(drome, tmp_path):
    found = import_survey(tmp_path, drome)
    found.layout = Survey.Layout.SINGLE
    found.save()
    return found


def stored(survey) -> dict:
    """What the submissions left in the database, minus what is drawn at random or dated."""
    responses = list(Response.objects.filter(survey=survey).order_by("id"))
    for response in responses:
        if response.status == Response.Status.SUBMITTED:
            assert response.receipt and response.fingerprint and response.submitted_at and response.consent_at
    return {
        "responses": [{name: getattr(r, name) for name in COMPARED} for r in responses],
        "answers": [sorted(Answer.objects.filter(response=r).values_list(
            "survey_id", "question", "choice", "number", "text", "date", "position")) for r in responses],
        "rate_count": sum(RateBucket.objects.filter(key=services.rate_key(ADDRESS)).values_list("count", flat=True)),
        "invitations_used": sorted((label, used is not None) for label, used in
                                   Invitation.objects.filter(survey=survey).values_list("label", "used_at")),
    }


def through_each_path(survey, submissions, *, invitation=None) -> dict[str, tuple[list, dict]]:
    """Store ``submissions`` (answers, one after the other, from ADDRESS) through each path able to
    store them here; each path starts from the same database (its writes are rolled back after).
    Output: path → (outcome of each submission: a status or the refusal's reason, what was stored)."""
    found = {}
    paths = services.storage_paths(survey, address=ADDRESS, invitation=invitation)
    for path in paths:
        with transaction.atomic():
            outcomes = []
            for given in submissions:
                fresh = Survey.objects.get(pk=survey.pk)
                try:
                    outcomes.append(services.store_submission(fresh, given, address=ADDRESS, invitation=invitation,
                                                              storage=path).status)
                except services.SubmissionRefused as refused:
                    outcomes.append(refused.reason)
            found[path] = (outcomes, stored(survey))
            transaction.set_rollback(True)
    return found


def the_same_through_each_path(results: dict) -> tuple[list, dict]:
    """The one outcome every path gave (and which paths ran: both on PostgreSQL when available)."""
    outcomes = list(results.values())
    assert all(other == outcomes[0] for other in outcomes[1:]), results
    return outcomes[0]


def test_the_paths_available_on_each_database(survey):
    expected = ["statement", "orm"] if connection.vendor == "postgresql" else ["orm"]
    assert services.storage_paths(survey, address=ADDRESS) == expected
    assert services.storage_paths(survey) == ["orm"]  # not counted: nothing for the statement to count
    assert services.storage_paths(survey, address=ADDRESS, invitation=Invitation(survey=survey)) == ["orm"]
    with pytest.raises(ValueError, match="statement"):
        services.store_submission(survey, answers(), storage="statement")


def test_a_response_is_stored_the_same_way_by_each_path(survey):
    results = through_each_path(survey, [answers()])
    assert len(results) == (2 if connection.vendor == "postgresql" else 1)
    outcomes, rows = the_same_through_each_path(results)
    assert outcomes == ["submitted"] and rows["rate_count"] == 1
    (response,) = rows["responses"]
    assert (response["status"], response["age_band"], response["sex"], response["profile_status"]) == (
        "submitted", "30-44", "F", "resident")
    assert response["commune_id"] and response["zone_id"] and response["epci_id"] and response["progress"] == {}
    assert response["resume_hash"] is None and response["invitation_id"] is None
    questions = [row[1] for row in rows["answers"][0]]
    assert questions.count("atouts") == 2 and len(questions) == 12  # 8 answers (2 options ticked) and 4 of the profile
    assert ("annees" in questions) and "atouts_other" not in questions  # an empty "other" is not stored


def test_a_duplicate_and_the_rate_limit_are_refused_the_same_way(survey):
    outcomes, rows = the_same_through_each_path(through_each_path(survey, [answers(), answers()]))
    assert outcomes == ["submitted", "duplicate"] and len(rows["responses"]) == 1 and rows["rate_count"] == 2
    survey.rate_limit = 1
    survey.save()
    outcomes, rows = the_same_through_each_path(through_each_path(survey, [answers(), answers(attractive="Le climat")]))
    assert outcomes == ["submitted", "rate"] and len(rows["responses"]) == 1 and rows["rate_count"] == 2


def test_a_closed_survey_stores_nothing_on_any_path(survey):
    survey.status = Survey.Status.CLOSED
    survey.save()
    outcomes, rows = the_same_through_each_path(through_each_path(survey, [answers()]))
    assert outcomes == ["closed"] and rows["responses"] == [] and rows["rate_count"] == 0


def test_an_invitation_is_used_once(survey):
    token = services.create_invitations(survey, 1, "panel")[0]
    invitation = services.find_invitation(survey, token)
    results = through_each_path(survey, [answers(), answers(attractive="Le climat")], invitation=invitation)
    assert list(results) == ["orm"]  # the invitation is used under a lock: the ORM steps
    outcomes, rows = results["orm"]
    assert outcomes == ["submitted", "invitation-used"]
    assert rows["invitations_used"] == [("panel", True)] and rows["responses"][0]["invitation_id"] == invitation.pk


def test_quotas_count_the_same_and_a_full_closing_cell_screens_out(survey):
    quotas.add_quota(survey, {"age_band": "30-44"}, 1)  # left open: the statement may store
    outcomes, rows = the_same_through_each_path(through_each_path(survey, [answers(), answers(attractive="Le climat")]))
    assert outcomes == ["submitted", "submitted"]
    quotas.add_quota(survey, {"age_band": "30-44"}, 1, close_when_full=True)
    results = through_each_path(survey, [answers(), answers(attractive="Le climat")])
    assert list(results) == ["orm"]  # a closing cell is checked under a lock: the ORM steps
    outcomes, rows = results["orm"]
    assert outcomes == ["submitted", "screened_out"]
    screened = rows["responses"][1]
    assert screened["status"] == "screened_out" and screened["age_band"] == "30-44" and rows["answers"][1] == []
