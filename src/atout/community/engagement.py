"""Engagement statistics: distinct people reached by channel, category and sub-territory.

Contributions are read where they live — opinion votes and statements, survey responses, event
attendance and ambassador stories — rather than copied, so the figures cannot drift from the
records. A *person* is a participant account (``u:<id>``) or a directory contact without an
account (``c:<id>``); a contact linked to an account counts as that account. Each person is counted
once in the totals, once under every channel they used, once in their category and once in their
sub-territory. Anonymous contributions are counted per channel in these units:

- vote: one anonymous opinion participant who voted in a conversation;
- statement: one statement proposed by an anonymous participant;
- survey: one submitted anonymous response;
- workshop / event / other recorded channels: one anonymous :class:`EngagementEvent` row.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.apps import apps

from atout.processes.models import Process
from atout.territories.models import Membership

from .models import Ambassador, Category, Channel, Contact, EngagementEvent, Profile, Story, Target

UNKNOWN = "unknown"


@dataclass
class Contribution:
    person: str | None  # None: anonymous
    channel: str
    commune_id: int | None = None
    zone_id: int | None = None


@dataclass
class Reach:
    """Everything the dashboard and ``atout engagement stats`` show, as plain values."""

    participants: int = 0
    anonymous_contributions: int = 0
    by_channel: dict = field(default_factory=dict)
    by_category: dict = field(default_factory=dict)
    by_subterritory: dict = field(default_factory=dict)
    targets: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "participants": self.participants,
            "anonymous_contributions": self.anonymous_contributions,
            "by_channel": self.by_channel,
            "by_category": self.by_category,
            "by_subterritory": self.by_subterritory,
            "targets": self.targets,
        }


def contributions(process: Process) -> list[Contribution]:
    """Every contribution to ``process`` from every source, known or anonymous."""
    contact_owner = dict(Contact.objects.filter(process=process, user__isnull=False).values_list("id", "user_id"))

    def person(user_id, contact_id) -> str | None:
        if user_id:
            return f"u:{user_id}"
        if contact_id:
            owner = contact_owner.get(contact_id)
            return f"u:{owner}" if owner else f"c:{contact_id}"
        return None

    found: list[Contribution] = []
    for user_id, contact_id, channel, zone_id in EngagementEvent.objects.filter(process=process).values_list(
        "user_id", "contact_id", "channel", "subterritory_id"
    ):
        found.append(Contribution(person(user_id, contact_id), channel, zone_id=zone_id))
    found += _opinion_contributions(process)
    found += _survey_contributions(process)
    for user_id, commune_id in Story.objects.filter(ambassador__process=process).exclude(
        status=Story.Status.REJECTED
    ).values_list("ambassador__user_id", "ambassador__commune_id"):
        found.append(Contribution(person(user_id, None), Channel.STORY, commune_id=commune_id))
    return found


def _opinion_contributions(process: Process) -> list[Contribution]:
    Participant = apps.get_model("opinion", "Participant")
    Statement = apps.get_model("opinion", "Statement")
    found = []
    # The primary key is selected so that DISTINCT keeps one row per participant, not per (user, commune).
    voters = Participant.objects.filter(conversation__process=process, votes__isnull=False)
    for _pk, user_id, commune_id in voters.values_list("pk", "user_id", "commune_id").distinct():
        found.append(Contribution(f"u:{user_id}" if user_id else None, Channel.VOTE, commune_id=commune_id))
    proposed = Statement.objects.filter(conversation__process=process, seed=False, author__isnull=False)
    for user_id, commune_id in proposed.values_list("author__user_id", "author__commune_id"):
        found.append(Contribution(f"u:{user_id}" if user_id else None, Channel.STATEMENT, commune_id=commune_id))
    return found


def _survey_contributions(process: Process) -> list[Contribution]:
    """Submitted survey responses, when the consultation app is installed with its ``Response.user``."""
    try:
        Response = apps.get_model("consultation", "Response")
    except LookupError:
        return []
    submitted = Response.objects.filter(survey__process=process, status="submitted")
    return [
        Contribution(f"u:{user_id}" if user_id else None, Channel.SURVEY, commune_id=commune_id, zone_id=zone_id)
        for user_id, commune_id, zone_id in submitted.values_list("user_id", "commune_id", "zone_id")
    ]


def reach(process: Process) -> Reach:
    """Distinct people reached by ``process``, by channel, category and sub-territory, against targets."""
    found = contributions(process)
    zones = list(process.subterritories.order_by("code"))
    zone_of_commune = dict(
        Membership.objects.filter(group__in=zones).values_list("commune_id", "group_id")
    )
    people = {c.person for c in found if c.person}
    categories, home = _people_profiles(people, zone_of_commune)

    channels: dict[str, set] = defaultdict(set)
    anonymous: Counter = Counter()
    seen_zone: dict[str, int] = {}
    for c in found:
        if c.person is None:
            anonymous[c.channel] += 1
            continue
        channels[c.channel].add(c.person)
        # Where a person lives comes from their profile; failing that, from where they took part.
        zone = c.zone_id or zone_of_commune.get(c.commune_id)
        if zone and c.person not in seen_zone:
            seen_zone[c.person] = zone
    zone_of_person = {p: home.get(p) or seen_zone.get(p) for p in people}

    result = Reach(participants=len(people), anonymous_contributions=sum(anonymous.values()))
    result.by_channel = {
        code: {"people": len(channels.get(code, ())), "anonymous": anonymous.get(code, 0)}
        for code in Channel.values
    }
    category_counts = Counter(categories.get(p, UNKNOWN) for p in people)
    result.by_category = {code: category_counts.get(code, 0) for code in [*Category.values, UNKNOWN]}
    zone_counts = Counter(zone_of_person.values())
    for zone in zones:
        population = zone.computed_population()
        count = zone_counts.get(zone.pk, 0)
        result.by_subterritory[zone.code] = {
            "name": zone.name,
            "people": count,
            "population": population,
            "per_1000": round(1000 * count / population, 6) if population else None,
        }
    result.by_subterritory[UNKNOWN] = {"name": UNKNOWN, "people": zone_counts.get(None, 0), "population": None, "per_1000": None}
    result.targets = _targets(process, len(people), category_counts)
    return result


def _people_profiles(people: set[str], zone_of_commune: dict) -> tuple[dict, dict]:
    """(person → category, person → zone id from their declared commune)."""
    user_ids = [int(p[2:]) for p in people if p.startswith("u:")]
    contact_ids = [int(p[2:]) for p in people if p.startswith("c:")]
    categories, home = {}, {}
    for user_id, category, commune_id in Profile.objects.filter(user_id__in=user_ids).values_list("user_id", "category", "commune_id"):
        categories[f"u:{user_id}"] = category
        if zone_of_commune.get(commune_id):
            home[f"u:{user_id}"] = zone_of_commune[commune_id]
    # A person without a profile may still be known as a contact or an ambassador.
    for user_id, category, commune_id in Contact.objects.filter(user_id__in=user_ids).values_list("user_id", "category", "commune_id"):
        categories.setdefault(f"u:{user_id}", category)
        if zone_of_commune.get(commune_id):
            home.setdefault(f"u:{user_id}", zone_of_commune[commune_id])
    ambassador_category = {"resident": Category.CITIZEN, "business": Category.BUSINESS,
                           "athlete": Category.ATHLETE, "association": Category.ASSOCIATION}
    for user_id, kind, commune_id in Ambassador.objects.filter(user_id__in=user_ids).values_list("user_id", "kind", "commune_id"):
        categories.setdefault(f"u:{user_id}", ambassador_category[kind])
        if zone_of_commune.get(commune_id):
            home.setdefault(f"u:{user_id}", zone_of_commune[commune_id])
    for contact_id, category, commune_id in Contact.objects.filter(id__in=contact_ids).values_list("id", "category", "commune_id"):
        categories[f"c:{contact_id}"] = category
        if zone_of_commune.get(commune_id):
            home[f"c:{contact_id}"] = zone_of_commune[commune_id]
    return categories, home


def _targets(process: Process, total: int, by_category: Counter) -> dict:
    targets = {}
    for category, count in Target.objects.filter(process=process).values_list("category", "count"):
        reached = total if not category else by_category.get(category, 0)
        targets[category or "all"] = {"target": count, "reached": reached,
                                      "share": round(reached / count, 4) if count else None}
    return targets
