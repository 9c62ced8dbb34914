"""Fixtures of the API tests: tokens for each kind of caller, and a clean rate-limit state per test."""

import pytest


@pytest.fixture(autouse=True)
def fresh_rate_limits(db):
    """Rate-limit history lives in the cache: each test starts from none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def keys(users):
    """Keys of tokens: read (a participant), write of a non-team user (the facilitator), write of a team member."""
    from atout.api.tokens import create_token

    return {
        "read": create_token(users["participant"], "lecture", "read")[1],
        "write_other": create_token(users["facilitator"], "écriture hors équipe", "write")[1],
        "write_team": create_token(users["team"], "écriture équipe", "write")[1],
    }


def bearer(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def assert_error(response, status: int, code: str):
    """The answer has the status and the API's single error shape."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert isinstance(body["error"]["details"], list)
    return body["error"]
