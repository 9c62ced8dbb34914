"""Engagement statistics: one person across channels is counted once, under each channel."""

import datetime as dt
import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from atout.community import engagement, services
from atout.community.models import Category, EngagementEvent, Event, Profile, Registration, Target
from atout.opinion.models import Conversation, Participant, Statement, Vote
from atout.territories.models import Territory


def _commune(code):
    return Territory.objects.get(level="commune", code=code)


def _vote(conversation, number, user=None, commune=None):
    participant = Participant.objects.create(conversation=conversation, number=number, user=user, commune=commune,
                                             anonymous_key="" if user else f"anon-{number}")
    statement = conversation.statements.first()
    Vote.objects.create(participant=participant, statement=statement, value=Vote.AGREE, created=timezone.now())
    return participant


def _survey_response(process, user, commune):
    from atout.consultation.models import Response, Survey, SurveyVersion

    survey, _ = Survey.objects.get_or_create(process=process, slug="enquete-essai", defaults={"title_fr": "Enquête", "status": "open"})
    version, _ = SurveyVersion.objects.get_or_create(survey=survey, number=1, defaults={"structure": {}})
    return Response.objects.create(survey=survey, version=version, status="submitted", submitted_at=timezone.now(),
                                   user=user, commune=commune)


@pytest.fixture
def scene(fresh_process):
    """One person (survey + workshop + vote), a second person (vote only), one anonymous voter."""
    process = fresh_process
    valence, die = _commune("26362"), _commune("26113")
    User = get_user_model()
    alice = User.objects.create_user("alice@example.org", "alice@example.org")
    Profile.objects.create(user=alice, category=Category.BUSINESS, commune=valence)
    bob = User.objects.create_user("bob@example.org", "bob@example.org")
    Profile.objects.create(user=bob, category=Category.YOUNG, commune=die)
    conversation = Conversation.objects.create(process=process, slug="c", question="Q ?")
    Statement.objects.create(conversation=conversation, number=0, text="A", seed=True,
                             status=Statement.Status.ACCEPTED, created=timezone.now())
    _vote(conversation, 0, alice, valence)
    _vote(conversation, 1, bob, die)
    _vote(conversation, 2)  # anonymous
    _survey_response(process, alice, valence)
    start = timezone.now() - dt.timedelta(days=1)
    workshop = Event.objects.create(process=process, kind=Event.Kind.WORKSHOP, title="Atelier", start=start,
                                    end=start + dt.timedelta(hours=2), commune=valence, venue="Salle", capacity=20)
    mine = Registration.objects.create(event=workshop, user=alice, name="Alice", email=alice.email, status="confirmed")
    stranger = Registration.objects.create(event=workshop, name="X", email="x@example.org", status="confirmed")
    services.take_attendance(workshop, {mine.pk, stranger.pk})
    Target.objects.create(process=process, category=Category.BUSINESS, count=200)
    Target.objects.create(process=process, category="", count=10)
    return {"process": process, "alice": alice, "bob": bob, "workshop": workshop}


def test_a_person_using_three_channels_is_counted_once_under_each(scene):
    result = engagement.reach(scene["process"])
    assert result.participants == 2  # alice and bob, alice counted once
    assert result.by_channel["survey"] == {"people": 1, "anonymous": 0}
    assert result.by_channel["workshop"] == {"people": 1, "anonymous": 1}  # the stranger came without an account
    assert result.by_channel["vote"] == {"people": 2, "anonymous": 1}
    assert result.anonymous_contributions == 2
    assert result.by_category["business"] == 1 and result.by_category["young"] == 1
    assert sum(result.by_category.values()) == result.participants


def test_people_are_placed_in_their_subterritory_with_reach_per_1000(scene):
    process = scene["process"]
    result = engagement.reach(process)
    zone_of = {z.code: z for z in process.subterritories.all()}
    valence_zone = services.subterritory_of(process, _commune("26362"))
    die_zone = services.subterritory_of(process, _commune("26113"))
    assert valence_zone != die_zone
    row = result.by_subterritory[valence_zone.code]
    assert row["people"] == 1
    assert row["population"] == zone_of[valence_zone.code].computed_population()
    assert row["per_1000"] == pytest.approx(1000 / row["population"], rel=1e-3)
    assert result.by_subterritory[die_zone.code]["people"] == 1
    assert sum(r["people"] for r in result.by_subterritory.values()) == result.participants


def test_targets_compare_distinct_people(scene):
    targets = engagement.reach(scene["process"]).targets
    assert targets["business"] == {"target": 200, "reached": 1, "share": 0.005}
    assert targets["all"] == {"target": 10, "reached": 2, "share": 0.2}


def test_attendance_taken_twice_does_not_duplicate_and_can_be_corrected(scene):
    workshop = scene["workshop"]
    present = set(workshop.registrations.values_list("pk", flat=True))
    services.take_attendance(workshop, present)
    assert EngagementEvent.objects.filter(process=scene["process"], channel="workshop").count() == 2
    services.take_attendance(workshop, set())
    assert EngagementEvent.objects.filter(process=scene["process"], channel="workshop").count() == 0
    assert engagement.reach(scene["process"]).by_channel["workshop"] == {"people": 0, "anonymous": 0}


def test_a_contact_linked_to_an_account_is_the_same_person(scene):
    from atout.community.models import Contact

    process = scene["process"]
    contact = Contact.objects.create(process=process, last_name="Alice", category=Category.BUSINESS, user=scene["alice"])
    EngagementEvent.objects.create(process=process, contact=contact, channel="proposal", date=timezone.now())
    result = engagement.reach(process)
    assert result.participants == 2
    assert result.by_channel["proposal"]["people"] == 1


def test_the_cli_prints_the_contract(scene):
    out = io.StringIO()
    call_command("engagement", "stats", "--process", scene["process"].slug, "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert set(data) == {"participants", "anonymous_contributions", "by_channel", "by_category", "by_subterritory", "targets"}
    assert data["participants"] == 2
    assert data["by_channel"]["survey"]["people"] == 1


def test_the_cli_names_an_unknown_process(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no process with slug 'nope'"):
        call_command("engagement", "stats", "--process", "nope", "--json", stdout=io.StringIO())


def test_the_dashboard_matches_raw_records_on_the_simulated_demo(drome, client, users):
    """Recount the demo's known people straight from the tables and compare with the dashboard."""
    from atout.community import demo
    from atout.community.models import Story

    demo.prepare(drome)  # a second run over the session's demo: what it counts is what it made
    result = engagement.reach(drome)
    voters = set(Participant.objects.filter(conversation__process=drome, user__isnull=False, votes__isnull=False)
                 .values_list("user_id", flat=True))
    recorded = set(EngagementEvent.objects.filter(process=drome, user__isnull=False).values_list("user_id", flat=True))
    storytellers = set(Story.objects.filter(ambassador__process=drome, ambassador__user__isnull=False)
                       .values_list("ambassador__user_id", flat=True))
    authors = set(Statement.objects.filter(conversation__process=drome, author__user__isnull=False)
                  .values_list("author__user_id", flat=True))
    from atout.consultation.models import Response

    respondents = set(Response.objects.filter(survey__process=drome, status="submitted", user__isnull=False)
                      .values_list("user_id", flat=True))
    everyone = voters | recorded | storytellers | authors | respondents
    assert result.participants == len(everyone) > 0
    assert result.by_channel["vote"]["people"] == len(voters) > 0
    anonymous_voters = Participant.objects.filter(conversation__process=drome, user__isnull=True, votes__isnull=False).distinct().count()
    assert result.by_channel["vote"]["anonymous"] == anonymous_voters
    assert result.by_channel["workshop"]["people"] + result.by_channel["event"]["people"] > 0
    assert sum(r["people"] for r in result.by_subterritory.values()) == result.participants
    zones = [r for code, r in result.by_subterritory.items() if code != "unknown"]
    assert len(zones) == 5 and all(r["people"] > 0 and r["per_1000"] > 0 for r in zones)
    # The team's page shows the same figures, the map and its data table.
    client.force_login(users["team"])
    page = client.get(f"/communaute/{drome.slug}/tableau-de-bord/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Données simulées" in html
    assert html.count('class="zone"') == 5
    for row in zones:
        assert row["name"] in html
    # Preparing the demo again replaces its simulated community instead of adding a second one.
    demo.prepare(drome)
    assert engagement.reach(drome).as_dict() == result.as_dict()


def test_a_smaller_simulated_community_deletes_the_accounts_it_no_longer_has(drome):
    """The simulated accounts are kept from one run of the demo to the next; those beyond the new size go."""
    from atout.community import demo

    simulated = get_user_model().objects.filter(username__startswith=demo.USER_PREFIX)
    kept = set(simulated.values_list("pk", flat=True).order_by("username")[:890])
    demo.prepare(drome, people=890)
    assert set(simulated.values_list("pk", flat=True)) == kept
    assert Profile.objects.filter(user__username__startswith=demo.USER_PREFIX).count() == 890
    assert Participant.objects.filter(conversation__process=drome, user__in=kept).count() == 300


def test_map_classes_span_the_observed_range():
    from atout.community.maps import SCALE, classes, colour_for

    low, bounds = classes([0.82, 1.04, 1.09, 1.22, 1.35])
    assert low == 0.82 and bounds[-1] == pytest.approx(1.35)
    assert colour_for(0.82, bounds) == SCALE[0] and colour_for(1.35, bounds) == SCALE[-1]
    assert colour_for(None, bounds) == "#cccccc"
    assert classes([]) == (0.0, [0.2, 0.4, 0.6, 0.8, 1.0])
