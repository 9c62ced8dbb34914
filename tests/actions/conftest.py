import pytest


@pytest.fixture
def example(drome):
    """The Drôme demo with its example strategy and action plan (atout.actions.demo.prepare)."""
    from atout.actions.demo import prepare

    prepare(drome)
    return drome
