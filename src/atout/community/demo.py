"""SIMULATED community of the Drôme demo: stakeholders, participant accounts, events, ambassadors.

Everything created here is flagged ``simulated`` and shown as "données simulées". People are drawn
in communes proportionally to their population (INSEE 2023), then given one to three channels, so
that the dashboard shows a plausible reach by sub-territory — not a measured one. Some of the
opinion demo's (also simulated) voters are attached to these accounts, so that the dashboard shows
people counted once across several channels. Sector names and brand messages are illustrative.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from atout.opinion.models import Participant
from atout.territories.models import Territory

from . import services
from .models import (
    Ambassador,
    BrandKit,
    Category,
    Channel,
    ConsentRecord,
    Contact,
    EngagementEvent,
    Event,
    Organisation,
    Profile,
    Registration,
    Sector,
    Story,
    Target,
)

USER_PREFIX = "simule-"
CATEGORY_WEIGHTS = {
    Category.CITIZEN: 0.58, Category.YOUNG: 0.14, Category.BUSINESS: 0.08, Category.ASSOCIATION: 0.07,
    Category.ELECTED: 0.03, Category.EXPERT: 0.03, Category.HEALTH: 0.03, Category.ATHLETE: 0.02, Category.OTHER: 0.02,
}
TARGETS = {"": 4000, Category.CITIZEN: 3000, Category.BUSINESS: 200, Category.YOUNG: 300}
ORGANISATIONS = [
    ("Coopérative bio de la vallée", "company", "agriculture-biologique"),
    ("Maroquinerie romanaise", "company", "luxe-cuir"),
    ("Sous-traitant du site nucléaire", "company", "nucleaire"),
    ("Conserverie drômoise", "company", "agroalimentaire"),
    ("Office de tourisme intercommunal", "institution", "tourisme-gastronomie"),
    ("Plateforme logistique rhodanienne", "company", "logistique"),
    ("Lycée agricole", "school", "enseignement-recherche"),
    ("Club de rugby", "sports_club", "sport"),
    ("Centre hospitalier", "health", "sante"),
    ("Radio locale", "media", "medias"),
    ("Association des commerçants", "association", "commerce-artisanat"),
    ("Festival d'été", "association", "culture"),
]
FIRST_NAMES = ["Camille", "Louis", "Léa", "Hugo", "Manon", "Jules", "Chloé", "Lucas", "Emma", "Nathan", "Inès", "Théo"]
LAST_NAMES = ["Martin", "Bernard", "Roux", "Faure", "Blanc", "Girard", "Chabert", "Reynaud", "Bonnet", "Arnaud", "Vial", "Brun"]
STORIES = [
    ("Mes abricots partent dans toute l'Europe", "business", "Producteur en agriculture biologique, je vends en circuit court et à l'export."),
    ("Grimper dans le Vercors, m'entraîner à la maison", "athlete", "Je m'entraîne ici toute l'année : la falaise est à vingt minutes."),
    ("Un club qui fait vivre le village", "association", "Notre club accueille 180 jeunes : c'est le cœur du village le samedi."),
    ("Revenue après mes études", "resident", "J'ai trouvé un emploi à Valence et une maison à quinze minutes."),
]
KIT = {
    "tagline": "La Drôme, naturellement inventive",
    "messages": ["Première terre bio de France (à sourcer dans la plateforme de marque)", "Entre Alpes et Provence, à 2 h de Paris en TGV",
                 "Des savoir-faire : cuir et luxe, agroalimentaire, énergie"],
    "proofs": ["Chiffres à relier aux indicateurs du diagnostic avant publication"],
    "colours": "#1d4f6e, #b3461b, #f2c14e",
}


def prepare(process, *, people: int = 900, seed: int = 2026) -> dict:
    """Create (or recreate) the simulated community of ``process``. Returns counts of what was made."""
    rng = np.random.default_rng(seed)
    communes = list(process.territory.communes().exclude(population__isnull=True).order_by("code"))
    if not communes:
        return {"people": 0}
    weights = np.array([c.population or 0 for c in communes], dtype=float)
    weights /= weights.sum()
    with transaction.atomic():
        _clear(process)
        users = _accounts(rng, communes, weights, people)
        _directory(process, rng, communes, weights)
        events = _events(process, rng, communes, weights, users)
        _attach_voters(process, rng, users)
        _proposals(process, rng, users)
        _ambassadors(process, rng, communes, weights, users)
        for category, count in TARGETS.items():
            Target.objects.update_or_create(process=process, category=category, defaults={"count": count})
        BrandKit.objects.update_or_create(process=process, defaults={
            "tagline": KIT["tagline"], "key_messages": "\n".join(KIT["messages"]), "proof_points": "\n".join(KIT["proofs"]),
            "colours": KIT["colours"]})
        _demo_account_profile()
    return {"people": len(users), "events": len(events)}


def _clear(process) -> None:
    EngagementEvent.objects.filter(process=process, simulated=True).delete()
    Event.objects.filter(process=process, simulated=True).delete()
    Ambassador.objects.filter(process=process, simulated=True).delete()
    Contact.objects.filter(process=process, simulated=True).delete()
    Organisation.objects.filter(process=process, simulated=True).delete()
    # The simulated accounts themselves are kept from one run to the next (:func:`_accounts`): deleting an
    # account erases it from the journal one by one (atout.core.audit), which for 900 accounts took most
    # of a second run of the demo. What the previous run attached to them goes.
    Profile.objects.filter(user__username__startswith=USER_PREFIX).delete()
    Participant.objects.filter(user__username__startswith=USER_PREFIX).update(user=None)


def _pick(rng, communes, weights) -> Territory:
    return communes[int(rng.choice(len(communes), p=weights))]


def _accounts(rng, communes, weights, n: int) -> list:
    User = get_user_model()
    wanted = [f"{USER_PREFIX}{i:04d}" for i in range(n)]
    simulated = User.objects.filter(username__startswith=USER_PREFIX)
    simulated.exclude(username__in=wanted).delete()  # a smaller community than the previous run's
    existing = set(simulated.values_list("username", flat=True))
    User.objects.bulk_create(User(username=name, email=f"{name}@demo.invalid", password="!simulated")
                             for name in wanted if name not in existing)
    users = list(User.objects.filter(username__startswith=USER_PREFIX).order_by("username"))
    categories = list(CATEGORY_WEIGHTS)
    p = np.array(list(CATEGORY_WEIGHTS.values()))
    Profile.objects.bulk_create(
        Profile(user=u, category=str(categories[int(rng.choice(len(categories), p=p / p.sum()))]),
                commune=_pick(rng, communes, weights), simulated=True)
        for u in users
    )
    return list(User.objects.filter(username__startswith=USER_PREFIX).select_related("community_profile").order_by("username"))


def _directory(process, rng, communes, weights) -> None:
    sectors = {s.code: s for s in Sector.objects.all()}
    today = timezone.localdate()
    for name, kind, sector in ORGANISATIONS:
        commune = _pick(rng, communes, weights)
        organisation = Organisation.objects.create(process=process, name=f"{name} ({commune.name})", kind=kind,
                                                   sector=sectors.get(sector), commune=commune, simulated=True)
        for _i in range(int(rng.integers(1, 4))):
            contact = Contact.objects.create(
                process=process, organisation=organisation, first_name=str(rng.choice(FIRST_NAMES)),
                last_name=str(rng.choice(LAST_NAMES)), category=Category.BUSINESS if kind == "company" else Category.ASSOCIATION,
                commune=commune, simulated=True,
            )
            ConsentRecord.objects.create(contact=contact, purpose="directory", date=today, source="démonstration (simulé)",
                                         text_version="demo")


def _events(process, rng, communes, weights, users) -> list[Event]:
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    zones = list(process.subterritories.order_by("code"))
    events = []
    registration_type = ContentType.objects.get_for_model(Registration)
    for i, zone in enumerate(zones * 2):
        commune = zone.communes().exclude(population__isnull=True).order_by("-population").first()
        past = i < len(zones)
        start = now + dt.timedelta(days=(-40 + 5 * i) if past else (10 + 7 * i), hours=18 - now.hour)
        kind = Event.Kind.WORKSHOP if i % 2 else Event.Kind.MEETING
        event = Event.objects.create(
            process=process, kind=kind, title=f"{'Atelier' if kind == Event.Kind.WORKSHOP else 'Réunion publique'} — {zone.name}",
            description="Événement simulé pour la démonstration.", start=start, end=start + dt.timedelta(hours=2),
            commune=commune, venue="Salle des fêtes", capacity=60, audience="Tout public", simulated=True,
        )
        events.append(event)
        if not past:
            continue
        members = set(zone.communes().values_list("pk", flat=True))
        local = [u for u in users if u.community_profile.commune_id in members]
        chosen = rng.choice(len(local), size=min(len(local), int(rng.integers(25, 55))), replace=False) if local else []
        for j in chosen:
            user = local[int(j)]
            Registration.objects.create(event=event, user=user, name=user.username, email=user.email,
                                        status=Registration.Status.CONFIRMED)
        for _k in range(int(rng.integers(5, 15))):  # people who came without an account
            Registration.objects.create(event=event, name="", email="anonyme@invalid", status=Registration.Status.CONFIRMED)
        present = {r.pk for r in event.registrations.all() if rng.random() < 0.8}
        services.take_attendance(event, present)
    EngagementEvent.objects.filter(process=process, source_type=registration_type).update(simulated=True)
    return events


def _attach_voters(process, rng, users) -> None:
    """Give 300 of the simulated opinion voters one of these accounts (same simulated people)."""
    voters = list(Participant.objects.filter(conversation__process=process, conversation__simulated=True, user__isnull=True)
                  .order_by("pk").values_list("pk", flat=True))
    if not voters:
        return
    chosen_users = rng.choice(len(users), size=min(300, len(users), len(voters)), replace=False)
    for pk, u in zip(voters, chosen_users, strict=False):
        user = users[int(u)]
        Participant.objects.filter(pk=pk).update(user=user, commune_id=user.community_profile.commune_id)


def _proposals(process, rng, users) -> None:
    zone_of = services.subterritory_of
    now = timezone.now()
    chosen = rng.choice(len(users), size=min(150, len(users)), replace=False)
    EngagementEvent.objects.bulk_create(
        EngagementEvent(process=process, user=users[int(i)], channel=Channel.PROPOSAL,
                        subterritory=zone_of(process, users[int(i)].community_profile.commune),
                        date=now - dt.timedelta(days=int(rng.integers(1, 60))), simulated=True)
        for i in chosen
    )


def _ambassadors(process, rng, communes, weights, users) -> None:
    kinds = ["resident", "business", "athlete", "association"]
    chosen = rng.choice(len(users), size=min(40, len(users)), replace=False)
    for n, i in enumerate(chosen):
        user = users[int(i)]
        kind = kinds[n % len(kinds)]
        ambassador = Ambassador.objects.create(
            process=process, user=user, display_name=f"{rng.choice(FIRST_NAMES)} {str(rng.choice(LAST_NAMES))[0]}.", kind=kind,
            commune=user.community_profile.commune, status=Ambassador.Status.APPROVED, simulated=True,
        )
        if n < len(STORIES):
            title, _kind, text = STORIES[n]
            Story.objects.create(ambassador=ambassador, title=title, text=text + " (récit simulé)", consent_publish=True,
                                 status=Story.Status.PUBLISHED)


def _demo_account_profile() -> None:
    """The demo's participant account gets a profile in Valence."""
    user = get_user_model().objects.filter(username="habitant").first()
    valence = Territory.objects.filter(level="commune", code="26362").first()
    if user is not None:
        Profile.objects.update_or_create(user=user, defaults={"category": Category.CITIZEN, "commune": valence})
