"""Fixtures of the fieldwork tests: the demo fieldwork (codebook, simulated sessions, coded
excerpts) on the Drôme process, without the Lille example unless a test imports it."""

import pytest


@pytest.fixture
def fieldwork(drome):
    from atout.fieldwork import demo

    demo.prepare(drome, with_lille=False)
    return drome


@pytest.fixture
def codes(fieldwork):
    from atout.fieldwork.models import Code

    return {c.name: c for c in Code.objects.filter(codebook__process=fieldwork)}


@pytest.fixture
def die_session(fieldwork):
    from atout.fieldwork.models import Session

    return Session.objects.get(process=fieldwork, kind=Session.Kind.FOCUS_YOUNG, simulated=True)
