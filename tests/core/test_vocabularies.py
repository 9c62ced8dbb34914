"""One vocabulary for people's profiles and one for background jobs, used by every app that needs them."""

from django.utils import translation

from atout.consultation import structure
from atout.consultation.models import Response
from atout.core.jobs import JobStatus
from atout.core.vocabularies import CensusAgeBand, ParticipationAgeBand, ProfileStatus, Sex
from atout.fieldwork.models import ThemeRun
from atout.opinion.models import Participant
from atout.reports.models import Report


def french(choices) -> list[tuple[str, str]]:
    with translation.override("fr"):
        return [(value, str(label)) for value, label in choices]


def test_survey_profile_fields_use_the_shared_vocabularies():
    fields = {f.name: f for f in Response._meta.fields}
    assert fields["age_band"].choices == CensusAgeBand.choices
    assert fields["sex"].choices == Sex.choices
    assert fields["profile_status"].choices == ProfileStatus.choices


def test_conversation_participants_use_the_shared_vocabularies():
    fields = {f.name: f for f in Participant._meta.fields}
    assert fields["age_band"].choices == ParticipationAgeBand.choices
    assert fields["status"].choices == ProfileStatus.choices


def test_the_survey_profile_questions_offer_the_vocabularies_with_the_same_french_labels():
    assert [(v, fr) for v, fr, _en in structure.AGE_BANDS] == french(CensusAgeBand.choices)
    assert [(v, fr) for v, fr, _en in structure.SEXES] == french(Sex.choices)
    assert [(v, fr) for v, fr, _en in structure.STATUSES] == french(ProfileStatus.choices)


def test_age_bands_from_30_are_the_census_bands_said_the_same_way():
    census = dict(french(CensusAgeBand.choices))
    participation = dict(french(ParticipationAgeBand.choices))
    for value in ("30-44", "45-59", "60-74", "75+"):
        assert participation[value] == census[value]


def test_every_background_job_has_the_same_statuses():
    assert [v for v, _label in JobStatus.choices] == ["queued", "running", "done", "failed"]
    for model in (ThemeRun, Report):
        status = model._meta.get_field("status")
        assert status.choices == JobStatus.choices
        assert status.default == JobStatus.QUEUED
