"""A Drôme conversation for the demo: real seed statements, SIMULATED participants and votes.

The simulation draws three latent opinion profiles (attachment to the Rhône valley's economy,
to rural and mountain life, to the Mediterranean south's tourism) so that the map has something to
show; it is labelled "données simulées" on every page.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.db import transaction
from django.utils import timezone

from .models import Conversation, Participant, Statement, Vote
from .services import run_analysis

SLUG = "priorites-drome"
QUESTION = "Qu'est-ce qui rendrait la Drôme plus attractive ?"
QUESTION_EN = "What would make the Drôme more attractive?"

# (statement, leaning of each latent profile: valley economy, rural/mountain, southern tourism)
SEEDS = [
    ("La Drôme doit attirer davantage d'entreprises industrielles dans la vallée du Rhône.", (0.9, -0.3, 0.1)),
    ("Le train entre Valence et Die doit être plus fréquent.", (0.2, 0.9, 0.3)),
    ("Le tourisme en Drôme provençale profite d'abord aux habitants.", (-0.2, -0.1, 0.8)),
    ("Il faut limiter les résidences secondaires dans les villages.", (-0.1, 0.7, -0.6)),
    ("Le très haut débit partout compte plus que de nouvelles routes.", (0.3, 0.8, 0.2)),
    ("L'agriculture biologique est la première fierté de la Drôme.", (-0.3, 0.8, 0.4)),
    ("Les jeunes doivent pouvoir se former sans quitter le département.", (0.7, 0.6, 0.5)),
    ("Les zones commerciales en périphérie des villes sont trop nombreuses.", (-0.4, 0.6, 0.1)),
    ("La marque « Drôme » doit mettre en avant la gastronomie et le vin.", (0.1, 0.2, 0.9)),
    ("Le Vercors doit rester une montagne préservée plutôt qu'une station.", (-0.2, 0.9, -0.2)),
    ("La centrale du Tricastin est un atout économique pour le sud du département.", (0.8, -0.6, -0.1)),
    ("Il manque des médecins dans les zones rurales.", (0.4, 0.9, 0.5)),
    ("Les festivals d'été suffisent à faire connaître la Drôme.", (0.0, -0.5, 0.7)),
    ("Le logement est trop cher pour les jeunes actifs à Valence et Romans.", (0.7, 0.3, 0.2)),
    ("La Drôme devrait accueillir plus de télétravailleurs venus des métropoles.", (0.5, 0.3, 0.4)),
    ("Les transports en commun entre Montélimar et Nyons sont suffisants.", (-0.3, -0.8, -0.4)),
    ("Le cuir et le luxe à Romans sont une carte de visite à valoriser.", (0.8, 0.0, 0.3)),
    ("L'eau deviendra le premier sujet d'attractivité du sud drômois.", (0.2, 0.6, 0.7)),
    ("Les associations sportives font vivre les villages.", (0.3, 0.7, 0.4)),
    ("Il faut développer le vélo le long de la ViaRhôna et de la vallée de la Drôme.", (0.5, 0.5, 0.8)),
]

AGE_BANDS = ["18-29", "30-44", "45-59", "60-74", "75+"]
STATUSES = ["resident", "young", "business", "association", "expert", "visitor"]


def prepare(process, *, participants: int = 600, seed: int = 2026) -> Conversation:
    """Create (or recreate) the demo conversation with simulated votes and its analysis."""
    rng = np.random.default_rng(seed)
    with transaction.atomic():
        Conversation.objects.filter(process=process, slug=SLUG).delete()
        conversation = Conversation.objects.create(
            process=process, slug=SLUG, question=QUESTION, question_en=QUESTION_EN, simulated=True,
            description="Conversation de démonstration : les affirmations sont réelles, les participant·es et leurs votes sont simulés.",
        )
        start = timezone.now() - dt.timedelta(days=30)
        statements = Statement.objects.bulk_create(
            Statement(conversation=conversation, number=i, text=text, seed=True, status=Statement.Status.ACCEPTED, created=start)
            for i, (text, _lean) in enumerate(SEEDS)
        )
        leanings = np.array([lean for _text, lean in SEEDS])  # (statements, profiles)
        profile = rng.choice(3, size=participants, p=[0.45, 0.35, 0.20])
        communes = list(process.territory.communes().order_by("code").values_list("pk", flat=True))
        people = Participant.objects.bulk_create(
            Participant(
                conversation=conversation, number=i,
                age_band=str(rng.choice(AGE_BANDS)), status=str(rng.choice(STATUSES)),
                commune_id=int(rng.choice(communes)) if communes else None,
            )
            for i in range(participants)
        )
        votes = []
        for person, kind in zip(people, profile, strict=True):
            n_votes = int(rng.integers(6, len(statements) + 1))
            for j in rng.choice(len(statements), size=n_votes, replace=False):
                lean = leanings[j, kind] + rng.normal(0, 0.45)
                value = Vote.PASS if abs(lean) < 0.2 else (Vote.AGREE if lean > 0 else Vote.DISAGREE)
                moment = start + dt.timedelta(minutes=int(rng.integers(0, 60 * 24 * 30)))
                votes.append(Vote(participant=person, statement=statements[j], value=value, created=moment))
        Vote.objects.bulk_create(votes, batch_size=5000)
    run_analysis(conversation, seed=0)
    return conversation
