"""The Drôme perception questionnaire and its SIMULATED answers ("données simulées").

``prepare(process)`` creates (or recreates) the survey ``perception-drome`` of the process —
strengths, weaknesses, pride, "would you recommend living here" (0–10), place-brand items along
Anholt's six dimensions, two open questions — and ``count`` simulated responses (seeded, so the
demo is identical on every machine). Answers are drawn to be plausible by sub-territory and age
(e.g. the Drôme provençale rates its climate higher, young people rate housing lower), and the
sample is deliberately skewed (more women, more 45–59) so that weighting has something to correct.
Every simulated response has ``simulated=True`` and pages showing them say so. Quotas by age band ×
sub-territory are generated from the INSEE population (aged 15+) for a sample of 3,000.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from atout.engine.formats.xlsform import Choice, Form, Group, Question
from atout.territories.models import Level

from . import quotas, services
from .models import Answer, Response, Survey, new_receipt
from .structure import EN, FR

SLUG = "perception-drome"
SEED = 2026


def _labels(fr: str, en: str) -> dict[str, str]:
    return {FR: fr, EN: en}


def _choices(rows) -> list[Choice]:
    return [Choice(code, _labels(fr, en)) for code, fr, en in rows]


STRENGTHS = [
    ("nature", "La nature et les paysages", "Nature and landscapes"),
    ("qualite_vie", "La qualité de vie", "Quality of life"),
    ("climat", "Le climat", "The climate"),
    ("gastronomie", "La gastronomie et les produits locaux", "Food and local produce"),
    ("patrimoine", "Le patrimoine et la culture", "Heritage and culture"),
    ("plein_air", "Les sports et activités de plein air", "Outdoor sports and activities"),
    ("emploi", "L'emploi", "Jobs"),
    ("economie", "Le tissu d'entreprises", "The business fabric"),
    ("accessibilite", "L'accessibilité (A7, TGV, vallée du Rhône)", "Access (motorway, high-speed rail)"),
    ("associations", "La vie associative", "Community life"),
]
WEAKNESSES = [
    ("emploi", "L'emploi", "Jobs"),
    ("transports", "Les transports en commun", "Public transport"),
    ("logement", "Le logement", "Housing"),
    ("sante", "L'accès aux soins", "Access to healthcare"),
    ("culture", "L'offre culturelle", "Cultural life"),
    ("numerique", "La couverture numérique", "Broadband and mobile coverage"),
    ("commerces", "Les commerces et services de proximité", "Local shops and services"),
    ("etudes", "L'enseignement supérieur", "Higher education"),
    ("notoriete", "Le manque de notoriété", "Lack of reputation"),
]
AGREEMENT = [
    ("1", "Pas du tout d'accord", "Strongly disagree"), ("2", "Plutôt pas d'accord", "Disagree"),
    ("3", "Ni l'un ni l'autre", "Neither"), ("4", "Plutôt d'accord", "Agree"), ("5", "Tout à fait d'accord", "Strongly agree"),
]
#: Place-brand items (name hex_<dimension>_…): French, English.
HEXAGON = [
    ("hex_presence_connue", "La Drôme est connue en dehors de la région", "The Drôme is known outside the region"),
    ("hex_presence_image", "La Drôme a une image claire", "The Drôme has a clear image"),
    ("hex_place_paysages", "Les paysages et l'environnement sont remarquables", "Landscapes and environment are remarkable"),
    ("hex_place_climat", "Le climat est agréable", "The climate is pleasant"),
    ("hex_potential_emploi", "On peut y trouver un emploi ou y créer son entreprise", "One can find a job or start a business"),
    ("hex_potential_etudes", "On peut y faire ses études", "One can study here"),
    ("hex_pulse_culture", "La vie culturelle et sportive est riche", "Cultural and sports life is rich"),
    ("hex_pulse_dynamique", "Le territoire est dynamique, il s'y passe des choses", "The area is lively"),
    ("hex_people_accueil", "Les habitants sont accueillants", "People are welcoming"),
    ("hex_people_entraide", "On s'y sent entouré, il y a de l'entraide", "People help each other"),
    ("hex_prerequisites_logement", "Se loger y est accessible", "Housing is affordable"),
    ("hex_prerequisites_services", "Les services (santé, transports, écoles) sont suffisants", "Services are sufficient"),
]


def questionnaire() -> Form:
    """The Drôme perception questionnaire (the profile page is added on publication)."""
    agree = _choices(AGREEMENT)
    return Form(
        title="Votre regard sur la Drôme", id="perception_drome", version="1", default_language=FR, languages=[FR, EN],
        items=[
            Group(name="regard", labels=_labels("Votre regard sur la Drôme", "How you see the Drôme"), appearance="field-list",
                  children=[
                      Question(name="atouts", type="select_multiple", list_name="atouts", or_other=True,
                               labels=_labels("Quels sont les principaux atouts de la Drôme ? (trois au plus)",
                                              "What are the Drôme's main strengths? (three at most)"),
                               choices=_choices(STRENGTHS), constraint="count-selected(.) <= 3",
                               constraint_message=_labels("Choisissez trois atouts au plus.", "Choose at most three.")),
                      Question(name="faiblesses", type="select_multiple", list_name="faiblesses",
                               labels=_labels("Et ses principales faiblesses ? (trois au plus)",
                                              "And its main weaknesses? (three at most)"),
                               choices=_choices(WEAKNESSES), constraint="count-selected(.) <= 3",
                               constraint_message=_labels("Choisissez trois faiblesses au plus.", "Choose at most three.")),
                      Question(name="fierte", type="likert", list_name="accord", appearance="likert", required=True,
                               labels=_labels("Je suis fier ou fière de vivre dans la Drôme", "I am proud to live in the Drôme"),
                               choices=agree),
                      Question(name="recommande", type="score", bounds=(0.0, 10.0), required=True,
                               labels=_labels("Recommanderiez-vous à un proche de venir vivre dans la Drôme ?",
                                              "Would you recommend a friend to come and live in the Drôme?"),
                               hints=_labels("De 0 (certainement pas) à 10 (certainement)", "From 0 (certainly not) to 10 (certainly)")),
                  ]),
            Group(name="image", labels=_labels("L'image du territoire", "The image of the area"), appearance="table-list",
                  children=[Question(name=name, type="select_one", list_name="accord", labels=_labels(fr, en), choices=agree)
                            for name, fr, en in HEXAGON]),
            Group(name="mots", labels=_labels("En quelques mots", "In a few words"), appearance="field-list", children=[
                Question(name="attractive", type="text", appearance="multiline",
                         labels=_labels("Qu'est-ce qui rend la Drôme attractive ?", "What makes the Drôme attractive?")),
                Question(name="freins", type="text", appearance="multiline",
                         labels=_labels("Qu'est-ce qui freine son attractivité ?", "What holds it back?")),
            ]),
        ],
    )


# --- Simulation ---------------------------------------------------------------------------------

AGE_BANDS = ["15-29", "30-44", "45-59", "60-74", "75+"]
AGE_SAMPLE = [0.12, 0.24, 0.30, 0.24, 0.10]  # skewed: online respondents are older than the population
FEMALE_SHARE = 0.58
#: Per zone: extra points on the place-brand items (dimension → shift on a 1–5 scale), strengths favoured.
ZONE_PROFILE = {
    "vallee-du-rhone": ({"potential": 0.5, "prerequisites": 0.2, "place": -0.4}, ["emploi", "economie", "accessibilite"]),
    "drome-des-collines": ({"people": 0.3}, ["gastronomie", "qualite_vie", "nature"]),
    "vercors-royans": ({"place": 0.6, "prerequisites": -0.6, "potential": -0.4}, ["nature", "plein_air", "qualite_vie"]),
    "diois-vallee-drome": ({"place": 0.5, "people": 0.4, "potential": -0.2}, ["nature", "gastronomie", "associations"]),
    "drome-provencale": ({"place": 0.7, "presence": 0.3, "prerequisites": -0.3}, ["climat", "patrimoine", "gastronomie"]),
}
AGE_SHIFT = {"15-29": {"prerequisites": -0.6, "potential": -0.4, "pulse": -0.3}, "75+": {"people": 0.3, "pulse": -0.2}}
ATTRACTIVE_TEXTS = [
    "Les paysages, la lumière et la douceur de vivre.", "La nature toute proche, les montagnes et les rivières.",
    "Le climat et les marchés provençaux.", "La qualité de vie, loin du stress des grandes villes.",
    "Les produits locaux, le vin, la lavande, les fruits.", "La situation entre Lyon et la Méditerranée, le TGV.",
    "Les villages perchés et le patrimoine.", "La vie associative et la solidarité entre habitants.",
    "Les activités de plein air : randonnée, vélo, escalade.", "Le dynamisme de l'agriculture biologique.",
]
BRAKE_TEXTS = [
    "Le manque de transports en commun hors de la vallée du Rhône.", "Trouver un médecin devient très difficile.",
    "Les loyers et le prix des maisons ont beaucoup augmenté.", "Peu d'emplois qualifiés pour les jeunes.",
    "La couverture internet et mobile dans les villages.", "Les jeunes partent faire leurs études ailleurs.",
    "La Drôme est mal connue, on la confond avec l'Ardèche.", "Les commerces ferment dans les petits bourgs.",
    "Trop de voitures, pas assez de pistes cyclables.", "Peu d'offre culturelle en hiver.",
]


#: Sample size the demo's quota targets (age band × sub-territory, from INSEE) sum to.
QUOTA_TOTAL = 3000


@dataclass
class DemoSurvey:
    survey: Survey
    responses: int
    quota_cells: int = 0
    quota_problem: str = ""

    def messages(self) -> list[str]:
        if self.quota_problem:
            return [f"survey quotas not generated: {self.quota_problem}"]
        return []


def prepare(process, *, count: int = 3200, seed: int = SEED) -> DemoSurvey:
    """Create the perception survey of ``process`` with ``count`` simulated responses. Idempotent:
    an existing demo survey is rebuilt from scratch (same seed, same answers)."""
    with transaction.atomic():
        # Responses first: they protect the versions they answered.
        Response.objects.filter(survey__process=process, survey__slug=SLUG).delete()
        Survey.objects.filter(process=process, slug=SLUG).delete()
        survey = services.import_form(questionnaire(), process, slug=SLUG, status=Survey.Status.OPEN)
        survey.title_en = "How you see the Drôme"
        survey.consent_purpose = ("Connaître l'image de la Drôme auprès de ses habitants et de ses visiteurs pour construire "
                                  "la stratégie d'attractivité.")
        survey.consent_controller = "Département de la Drôme (démonstration)"
        survey.consent_retention = "Réponses conservées jusqu'à la fin de la démarche ; textes libres effacés après deux ans."
        survey.retention_until = dt.date(2028, 12, 31)
        survey.save()
        simulate(survey, count, seed)
    report = DemoSurvey(survey=survey, responses=count)
    # Quotas by age band × sub-territory, proportional to the INSEE population aged 15+: the team's
    # quota page then shows cells over- and under-filled by the (skewed) simulated sample.
    try:
        report.quota_cells = quotas.generate(survey, ["age_band", "zone"], QUOTA_TOTAL).created
    except quotas.QuotaInputError as exc:
        report.quota_problem = str(exc)
    return report


def _zone_communes(process) -> dict:
    """Zone → (communes, EPCI by commune id, population weights)."""
    zones = {}
    for zone in process.subterritories.filter(level=Level.ZONE).order_by("code"):
        communes = list(zone.communes().order_by("code"))
        if not communes:
            continue
        population = np.array([c.population or 1 for c in communes], dtype=float)
        zones[zone] = (communes, population / population.sum())
    return zones


def simulate(survey: Survey, count: int, seed: int) -> int:
    """Draw ``count`` simulated submitted responses and their answers (bulk inserts)."""
    rng = np.random.default_rng(seed)
    zones = _zone_communes(survey.process)
    if not zones:
        raise ValueError("the process has no sub-territory with communes: load the geography and zones first")
    zone_list = list(zones)
    zone_population = np.array([sum(c.population or 0 for c in zones[z][0]) for z in zone_list], dtype=float)
    # Online samples under-represent the urban valley: skew the draw away from population shares.
    skew = np.array([0.7 if z.code == "vallee-du-rhone" else 1.2 for z in zone_list])
    zone_p = zone_population * skew / (zone_population * skew).sum()
    epci_of = {}
    for zone in zone_list:
        for commune in zones[zone][0]:
            epci_of[commune.pk] = commune.groups.filter(level=Level.EPCI).values_list("pk", flat=True).first()
    version = survey.current_version
    now = timezone.now()
    responses, drafts = [], []
    for _ in range(count):
        zone = zone_list[rng.choice(len(zone_list), p=zone_p)]
        communes, weights = zones[zone]
        commune = communes[rng.choice(len(communes), p=weights)]
        age = AGE_BANDS[rng.choice(5, p=AGE_SAMPLE)]
        sex = "F" if rng.random() < FEMALE_SHARE else "M"
        status = "young" if age == "15-29" and rng.random() < 0.4 else ("student" if age == "15-29" and rng.random() < 0.3 else
                 rng.choice(["resident"] * 14 + ["business", "association", "elected", "health", "athlete", "expert"]))
        responses.append(Response(
            survey=survey, version=version, status=Response.Status.SUBMITTED, simulated=True, source="simulation",
            submitted_at=now - dt.timedelta(minutes=int(rng.integers(0, 60 * 24 * 60))), receipt=new_receipt(),
            consent_at=now, age_band=age, sex=sex, commune_id=commune.pk, epci_id=epci_of.get(commune.pk),
            zone_id=zone.pk, profile_status=str(status),
        ))
        drafts.append((zone.code, age, commune.code, str(status)))
    Response.objects.bulk_create(responses, batch_size=1000)
    answers: list[tuple] = []
    for response, (zone_code, age, commune_code, status) in zip(responses, drafts, strict=True):
        answers += _answers(rng, survey.pk, response, zone_code, age, commune_code, status)
        if len(answers) >= 20000:
            _insert_answers(answers)
            answers = []
    _insert_answers(answers)
    return count


def _insert_answers(rows: list[tuple]) -> None:
    """Plain parameterised INSERTs: ~10× faster than building tens of thousands of model objects."""
    if not rows:
        return
    table = Answer._meta.db_table
    columns = "survey_id, response_id, question, choice, number, text, date, position"
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)", rows)


def _row(survey_id, response_id, question, *, choice="", number=None, text="", position=0) -> tuple:
    return (survey_id, response_id, question, choice, number, text, None, position)


def _answers(rng, survey_id, response, zone_code, age, commune_code, status) -> list[tuple]:
    """The answer rows (tuples for :func:`_insert_answers`) of one simulated respondent."""
    shifts, favoured = ZONE_PROFILE.get(zone_code, ({}, []))
    rows = []

    def answer(*, question, **values):
        return _row(survey_id, response.pk, question, **values)

    strengths = [code for code, _fr, _en in STRENGTHS]
    p = np.array([3.0 if s in favoured else 1.0 for s in strengths])
    chosen = rng.choice(strengths, size=int(rng.integers(1, 4)), replace=False, p=p / p.sum())
    rows += [answer(question="atouts", choice=str(c), position=i + 1) for i, c in enumerate(chosen)]
    weaknesses = [code for code, _fr, _en in WEAKNESSES]
    wp = np.array([3.0 if (w == "transports" and zone_code != "vallee-du-rhone") or (w == "logement" and age == "15-29")
                   or (w == "emploi" and zone_code in ("vercors-royans", "diois-vallee-drome")) else 1.0 for w in weaknesses])
    picked = rng.choice(weaknesses, size=int(rng.integers(1, 4)), replace=False, p=wp / wp.sum())
    rows += [answer(question="faiblesses", choice=str(c), position=i + 1) for i, c in enumerate(picked)]
    mood = rng.normal(0, 0.6)  # a respondent's general warmth towards the territory
    pride = int(np.clip(round(3.8 + mood + (0.3 if age in ("60-74", "75+") else 0) + rng.normal(0, 0.6)), 1, 5))
    rows.append(answer(question="fierte", choice=str(pride), number=float(pride)))
    score = int(np.clip(round(7.2 + 1.6 * mood + (0.6 if zone_code == "drome-provencale" else 0)
                              - (0.8 if age == "15-29" else 0) + rng.normal(0, 1.3)), 0, 10))
    rows.append(answer(question="recommande", number=float(score)))
    age_shift = AGE_SHIFT.get(age, {})
    for name, _fr, _en in HEXAGON:
        if rng.random() < 0.04:
            continue  # some items left unanswered
        dimension = name.split("_")[1]
        value = int(np.clip(round(3.4 + mood + shifts.get(dimension, 0) + age_shift.get(dimension, 0) + rng.normal(0, 0.8)), 1, 5))
        rows.append(answer(question=name, choice=str(value), number=float(value)))
    if rng.random() < 0.55:
        rows.append(answer(question="attractive", text=str(rng.choice(ATTRACTIVE_TEXTS))))
    if rng.random() < 0.5:
        rows.append(answer(question="freins", text=str(rng.choice(BRAKE_TEXTS))))
    rows.append(answer(question="profil_age", choice=age))
    rows.append(answer(question="profil_sexe", choice=response.sex))
    rows.append(answer(question="profil_commune", choice=commune_code))
    rows.append(answer(question="profil_statut", choice=status))
    return rows

