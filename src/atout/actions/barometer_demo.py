"""The Drôme image barometer of the demo: two waves of SIMULATED answers ("données simulées").

``prepare(process)`` creates the survey ``barometre-image-drome`` from the notoriety and image question
bank, two closed waves (2025 and 2026, each labelled simulated) of seeded simulated respondents —
residents of the Drôme and non-residents from every region, some answering for a company — and two
KPIs of the example action "Marque Drôme et accueil des talents" fed by the barometer: aided
awareness among non-residents and pride of belonging among residents. The second wave is drawn
with a somewhat higher awareness and pride, as a strategy that works would show; nothing here
describes the real Drôme.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.utils import timezone

from atout.consultation import barometer
from atout.consultation.demo import _insert_answers, _row
from atout.consultation.models import Response, Survey, Wave, new_receipt
from atout.engine.banks import notoriety
from atout.strategy.models import Objective

from .kpis import refresh_kpis
from .models import Action, Kpi, KpiSource

SLUG = "barometre-image-drome"
SEED = 2025
#: (slug, label, year, fieldwork start, end, respondents, P(aware), P(unaided), P(proud), image shift)
WAVES = [
    ("2025", "Vague 2025", 2025, dt.date(2025, 3, 3), dt.date(2025, 3, 28), 1200, 0.57, 0.16, 0.66, 0.0),
    ("2026", "Vague 2026", 2026, dt.date(2026, 3, 2), dt.date(2026, 3, 27), 1200, 0.63, 0.19, 0.71, 0.15),
]
#: Rough shares of the population by region of residence (non-residents), INSEE codes.
REGION_SHARES = {"84": 0.16, "11": 0.20, "93": 0.09, "76": 0.10, "75": 0.09, "44": 0.08, "32": 0.09,
                 "52": 0.06, "53": 0.05, "28": 0.05, "27": 0.04, "24": 0.04, "94": 0.01}
NAMES = notoriety.TerritoryNames(name="Drôme", the_fr="la Drôme", in_fr="dans la Drôme", the_en="the Drôme",
                                 departements=("26",), region="84", aliases=("Drôme", "Drome"))
UNAIDED_WITH = ["Drôme, Ardèche, Isère", "l'Isère et la Drôme", "Savoie, Drome, Rhône", "Ardèche Drôme"]
UNAIDED_WITHOUT = ["Isère, Savoie", "Rhône, Loire", "Haute-Savoie", "Ain et Rhône", "je ne sais pas"]


@dataclass
class DemoBarometer:
    survey: Survey
    responses: int
    kpis: int

    def messages(self) -> list[str]:
        return []


def prepare(process, *, seed: int = SEED) -> DemoBarometer:
    """Create (or recreate, same seed, same answers) the demo barometer, its two waves and its KPIs."""
    with transaction.atomic():
        Kpi.objects.filter(process=process, source=KpiSource.SURVEY, survey__slug=SLUG).delete()
        Response.objects.filter(survey__process=process, survey__slug=SLUG).delete()
        Survey.objects.filter(process=process, slug=SLUG).delete()
        survey = barometer.create_barometer(process, SLUG, NAMES, title="Baromètre d'image de la Drôme")
        survey.title_en = "Drôme image barometer"
        survey.consent_purpose = "Mesurer chaque année la notoriété et l'image de la Drôme (démonstration)."
        survey.consent_controller = "Département de la Drôme (démonstration)"
        survey.status = Survey.Status.CLOSED
        survey.save()
        departements = _departements_by_region()
        rng = np.random.default_rng(seed)
        total = 0
        for slug, label, year, start, end, count, aware, unaided, proud, shift in WAVES:
            wave = Wave.objects.create(survey=survey, slug=slug, label=label, year=year, fieldwork_start=start,
                                       fieldwork_end=end, status=Wave.Status.CLOSED, simulated=True,
                                       closed_at=timezone.make_aware(dt.datetime.combine(end, dt.time(18))))
            total += _simulate(survey, wave, rng, departements, count=count, aware=aware, unaided=unaided,
                               proud=proud, shift=shift)
        kpis = _kpis(process, survey)
    return DemoBarometer(survey=survey, responses=total, kpis=kpis)


def _departements_by_region() -> dict[str, list[str]]:
    by_region: dict[str, list[str]] = {}
    for record in barometer.departement_records(NAMES.region):
        if record.code not in NAMES.departements:
            by_region.setdefault(record.region, []).append(record.code)
    return {region: codes for region, codes in by_region.items() if region in REGION_SHARES} or {"11": ["75"]}


def _simulate(survey, wave, rng, departements, *, count, aware, unaided, proud, shift) -> int:
    regions = list(departements)
    shares = np.array([REGION_SHARES[r] for r in regions])
    start = timezone.make_aware(dt.datetime.combine(wave.fieldwork_start, dt.time(9)))
    span = (wave.fieldwork_end - wave.fieldwork_start).days * 24 * 60
    responses = [Response(survey=survey, version=survey.current_version, wave=wave, status=Response.Status.SUBMITTED,
                          simulated=True, source="simulation", receipt=new_receipt(), consent_at=start,
                          submitted_at=start + dt.timedelta(minutes=int(rng.integers(0, span))))
                 for _ in range(count)]
    Response.objects.bulk_create(responses, batch_size=1000)
    rows: list[tuple] = []
    for response in responses:
        rows += _answers(rng, survey.pk, response.pk, regions, shares / shares.sum(), departements,
                         aware=aware, unaided=unaided, proud=proud, shift=shift)
    _insert_answers(rows)
    return count


def _answers(rng, survey_id, response_id, regions, shares, departements, *, aware, unaided, proud, shift) -> list[tuple]:
    rows = []

    def answer(question, choice="", number=None, text=""):
        rows.append(_row(survey_id, response_id, question, choice=choice, number=number, text=text))

    company = rng.random() < 0.08
    resident = rng.random() < 0.35
    answer("repondant", "entreprise" if company else "particulier")
    region = "84"
    if resident:
        answer("residence_region", region)
        answer("residence_departement", "26")
    else:
        region = regions[rng.choice(len(regions), p=shares)]
        answer("residence_region", region)
        answer("residence_departement", str(rng.choice(departements[region])))
    talent = False
    if not company:
        situation = str(rng.choice(["etudes", "emploi", "recherche", "retraite", "autre"], p=[0.1, 0.5, 0.07, 0.28, 0.05]))
        answer("situation", situation)
        if situation in notoriety.TALENT_SITUATIONS:
            mobile = str(rng.choice(["oui", "non", "nsp"], p=[0.3, 0.55, 0.15]))
            answer("mobilite", mobile)
            talent = mobile == "oui"
    knows = resident
    if not resident:
        # Living in the region makes the Drôme better known.
        near = 0.15 if region == NAMES.region else 0.0
        named = rng.random() < unaided + near
        answer("notoriete_spontanee", text=str(rng.choice(UNAIDED_WITH if named else UNAIDED_WITHOUT)))
        knows = named or rng.random() < (aware + near - unaided) / (1 - unaided)
        answer("notoriete_assistee", str(rng.choice(["oui_bien", "oui_nom"], p=[0.4, 0.6])) if knows else "non")
        if knows:
            answer("visite", "oui" if rng.random() < 0.3 else "non")
    mood = rng.normal(0.3 if resident else 0.0, 0.6) + shift
    if knows:
        for name, _fr, _en in notoriety.HEXAGON_ITEMS:
            dimension = name.split("_")[1]
            base = {"place": 4.0, "people": 3.6, "presence": 2.9, "prerequisites": 2.9}.get(dimension, 3.2)
            value = int(np.clip(round(base + mood + rng.normal(0, 0.8)), 1, 5))
            answer(name, str(value), float(value))
        score = int(np.clip(round(7.0 + 1.5 * mood + rng.normal(0, 1.4)), 0, 10))
        answer("recommande", number=float(score))
    if resident and not company:
        if rng.random() < proud:
            value = "5" if rng.random() < 0.45 else "4"
        else:
            value = str(rng.choice(["1", "2", "3"], p=[0.15, 0.35, 0.5]))
        answer("fierte", value, float(value))
        attached = int(np.clip(round(3.9 + mood + rng.normal(0, 0.7)), 1, 5))
        answer("attachement", str(attached), float(attached))
    if not resident:
        likely = ["certainement", "probablement", "probablement_pas", "certainement_pas"]
        if not company:
            answer("intention_sejour", str(rng.choice(likely, p=[0.12, 0.3, 0.38, 0.2])))
            answer("intention_installation", str(rng.choice(likely, p=[0.03, 0.12, 0.45, 0.4])))
            if talent:
                answer("intention_talent", str(rng.choice(likely, p=[0.06, 0.22, 0.42, 0.3])))
    if company:
        answer("intention_investissement", str(rng.choice(["certainement", "probablement", "probablement_pas",
                                                          "certainement_pas"], p=[0.04, 0.16, 0.45, 0.35])))
    return rows


def _kpis(process, survey: Survey) -> int:
    """Aided awareness (non-residents) and pride of belonging (residents), fed by the barometer; the
    baseline is the 2025 wave, the target the approach's ambition for 2029."""
    action = Action.objects.filter(process=process, code="A2").first()
    objective = None if action else Objective.objects.filter(process=process).order_by("order").first()
    if action is None and objective is None:
        return 0
    first = barometer.find_wave(survey, "2025")
    made = 0
    for metric, audience, label, gain in (
        ("notoriete_assistee", "non_resident", "Notoriété assistée de la Drôme hors du département (baromètre)", 10),
        ("fierte", "resident", "Fierté d'appartenance des habitants (baromètre)", 5),
    ):
        baseline = barometer.display_value(barometer.metric_estimate(first, metric, audience=audience))
        if baseline is None:
            continue
        Kpi.objects.create(process=process, action=action, objective=objective, source=KpiSource.SURVEY, survey=survey,
                           metric=metric, audience=audience, label=label, unit="%", baseline_value=round(baseline, 1),
                           baseline_year=2025, target_value=round(baseline + gain), target_year=2029)
        made += 1
    refresh_kpis(process, survey=survey)
    return made
