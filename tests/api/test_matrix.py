"""The API's permission matrix: every operation of the OpenAPI description × every kind of caller.

Callers: anonymous, a read token (participant), a write token of someone outside the process's team
(facilitator), a write token of a team member. Each operation is called on the Drôme demo (active) and
again with the process as a draft. A new operation without an expected row fails here.
"""

import json

import pytest

from atout.actions.models import Action, Kpi
from atout.consultation.models import Survey
from atout.diagnostic.models import Indicator
from atout.fieldwork.models import Document
from atout.opinion.models import Conversation
from atout.processes.models import Process

from .conftest import bearer

CALLERS = ["anonymous", "read", "write_other", "write_team"]
ALL_OK = {"anonymous": 200, "read": 200, "write_other": 200, "write_team": 200}
TEAM_ONLY = {"anonymous": 404, "read": 404, "write_other": 404, "write_team": 200}
TOKEN_ONLY = {"anonymous": 401, "read": 200, "write_other": 200, "write_team": 200}
FIELDWORK = {"anonymous": 404, "read": 404, "write_other": 200, "write_team": 200}
WRITE = {"anonymous": 401, "read": 403, "write_other": 403, "write_team": None}  # None: the success status

#: (method, path) → expected statuses for an active process; process-scoped reads become TEAM_ONLY on a draft.
EXPECTED = {
    ("get", "/api/v1/me"): TOKEN_ONLY,
    ("get", "/api/v1/territories"): ALL_OK,
    ("get", "/api/v1/territories/{key}"): ALL_OK,
    ("get", "/api/v1/territories/{key}/values"): ALL_OK,
    ("get", "/api/v1/indicators"): ALL_OK,
    ("get", "/api/v1/indicators/{code}"): ALL_OK,
    ("get", "/api/v1/observations"): ALL_OK,
    ("get", "/api/v1/processes"): ALL_OK,
    ("get", "/api/v1/processes/{slug}"): ALL_OK,
    ("get", "/api/v1/processes/{slug}/surveys"): ALL_OK,
    # The demo survey is open: its results are the team's until it closes.
    ("get", "/api/v1/processes/{slug}/surveys/{survey}/results"): TEAM_ONLY,
    # Quotas are back-office data: the team's, whatever the survey's status.
    ("get", "/api/v1/processes/{slug}/surveys/{survey}/quotas"): TEAM_ONLY,
    # Barometer waves: the sample survey is open (team only) and has no closed wave to compare or follow.
    ("get", "/api/v1/processes/{slug}/surveys/{survey}/waves"): TEAM_ONLY,
    ("get", "/api/v1/processes/{slug}/surveys/{survey}/waves/compare"): {c: 404 for c in CALLERS},
    ("get", "/api/v1/processes/{slug}/surveys/{survey}/waves/trend"): {c: 404 for c in CALLERS},
    ("get", "/api/v1/processes/{slug}/themes"): ALL_OK,
    ("get", "/api/v1/processes/{slug}/conversations"): ALL_OK,
    ("get", "/api/v1/processes/{slug}/conversations/{conversation}/results"): ALL_OK,
    ("get", "/api/v1/processes/{slug}/evidence"): ALL_OK,
    ("get", "/api/v1/processes/{slug}/swot"): ALL_OK,
    ("get", "/api/v1/processes/{slug}/positioning"): ALL_OK,
    ("get", "/api/v1/processes/{slug}/actions"): ALL_OK,
    ("get", "/api/v1/processes/{slug}/actions/{code}"): ALL_OK,
    ("get", "/api/v1/processes/{slug}/progress"): ALL_OK,
    ("get", "/api/v1/processes/{slug}/kpis"): ALL_OK,
    ("get", "/api/v1/processes/{slug}/filieres"): ALL_OK,
    ("get", "/api/v1/processes/{slug}/filieres/{filiere}"): ALL_OK,
    ("post", "/api/v1/processes/{slug}/actions/{code}/progress"): {**WRITE, "write_team": 201},
    # Fieldwork: facilitators and team (the write_other token is the demo's facilitator).
    ("get", "/api/v1/processes/{slug}/documents"): FIELDWORK,
    ("get", "/api/v1/processes/{slug}/documents/{document}"): FIELDWORK,
    ("get", "/api/v1/processes/{slug}/coding/agreement"): FIELDWORK,
    ("put", "/api/v1/processes/{slug}/kpis/{kpi}/measurements/{year}"): {**WRITE, "write_team": 200},
}
BODIES = {
    "post": {"status": "in_progress", "progress": 50, "note": "matrice"},
    "put": {"value": 1.5, "source": "matrice"},
}


def operations(client):
    schema = client.get("/api/v1/openapi.json").json()
    return [(method, path) for path, item in schema["paths"].items() for method in item]


def test_every_operation_has_an_expected_row(client, db):
    assert sorted(operations(client)) == sorted(EXPECTED)


def sample_url(path: str, drome) -> tuple[str, dict]:
    survey = Survey.objects.filter(process=drome).exclude(current_version=None).order_by("pk").first()
    assert survey.status == Survey.Status.OPEN
    action = Action.objects.filter(process=drome).order_by("order", "code").first()
    values = {
        "slug": drome.slug, "key": "dep:26", "survey": survey.slug,
        "conversation": Conversation.objects.filter(process=drome, analyses__isnull=False).first().slug,
        "kpi": Kpi.objects.filter(process=drome).first().pk, "year": 2030, "filiere": "cuir-luxe",
        "document": Document.objects.filter(process=drome).first().pk,
        "code": Indicator.objects.order_by("code").first().code if path.startswith("/api/v1/indicators") else action.code,
    }
    query = {"indicator": Indicator.objects.order_by("order", "code").first().code} if path.endswith("/values") else {}
    return path.format(**values), query


@pytest.mark.parametrize("draft", [False, True], ids=["active", "draft"])
@pytest.mark.parametrize("caller", CALLERS)
def test_the_api_permission_matrix(client, drome, keys, caller, draft):
    if draft:
        Process.objects.filter(pk=drome.pk).update(status=Process.Status.DRAFT)
    headers = bearer(keys[caller]) if caller != "anonymous" else {}
    problems = []
    for method, path in sorted(EXPECTED):
        expected = EXPECTED[method, path][caller]
        if draft and "{slug}" in path and caller != "write_team" and expected != 401:
            expected = 404  # a draft is invisible outside its team (after authentication)
        url, query = sample_url(path, drome)
        if method == "get":
            response = client.get(url, query, **headers)
        else:
            response = getattr(client, method)(url, json.dumps(BODIES[method]), content_type="application/json", **headers)
        if response.status_code != expected:
            problems.append(f"{caller} {method.upper()} {url}: expected {expected}, got {response.status_code}")
        elif expected >= 400:
            assert set(response.json()["error"]) == {"code", "message", "details"}
    assert problems == []
