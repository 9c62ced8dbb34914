"""An EXAMPLE strategy and action plan for the Drôme demo, wired to evidence that exists in the demo.

What is real: the indicator findings (PTOD département values, INSEE/URSSAF/DVF, ranks among the 96
départements), the KPI baselines and measurements (published PTOD values of past census years), the
sub-territories, and the texts of the statements of the demo conversation ``priorites-drome``. What is
an example: the strategy, the actions, their budgets, dates, progress and milestones, and the KPI targets;
the votes on the statements are simulated (the opinion demo says so). Everything is marked ``example``.

``prepare(process)`` is idempotent: it replaces the example plan and strategy of the process.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.db import transaction

from atout.engine.sources import SourceUnavailable, locate
from atout.opinion.models import Conversation
from atout.strategy.models import Objective, Orientation, Positioning, SwotItem
from atout.strategy.services import evidence_from_finding, evidence_from_statement, propose_from_findings

from ..models import Action, Kpi, Measurement, Milestone
from ..services import import_plan

PLAN_FILE = Path(__file__).with_name("plan-drome-exemple.csv")
PTOD_FILE = "indicators/departements-indicateurs-ptod.json"
CONVERSATION = "priorites-drome"

ORIENTATIONS = {
    "attractivite": [("Attirer et retenir les actifs et les talents", [
        ("emploi", "Ramener le chômage sous la moyenne nationale", ["unemployment_rate", "employment_growth"]),
        ("talents", "Attirer et retenir les jeunes actifs et les cadres", ["executives_share", 6]),
    ])],
    "proximite": [("Des services et un logement accessibles partout", [
        ("services", "Garantir l'accès aux soins dans les zones rurales", [11, "share_75_plus"]),
        ("logement", "Un logement abordable pour les jeunes actifs", [13, "house_price"]),
    ])],
    "inventivite": [("Valoriser l'industrie, les savoir-faire et les mobilités douces", [
        ("industrie", "Faire de l'industrie et des savoir-faire une vitrine", ["industry_employment_share", 16]),
        ("mobilites", "Des mobilités du quotidien sans voiture", [1, 19]),
    ])],
}

#: Action id → evidence: catalogue indicator codes (findings) or statement numbers of the conversation.
ACTION_EVIDENCE = {
    "A1": ["unemployment_rate", "employment_growth"], "A1.1": ["unemployment_rate"],
    "A1.2": [6, "higher_education_share"], "A1.3": ["industry_employment_share", 0], "A1.4": [14],
    "A2": [8, "executives_share"], "A2.1": [8], "A2.2": [14, "population_growth_long"],
    "P1": [11, "share_75_plus"], "P1.1": [11], "P1.2": [11, "presential_employment_share"],
    "P2": [13, "house_price"], "I1": ["industry_employment_share", 16], "I1.1": [16], "I1.2": [10],
    "I2": [1, 19], "I2.1": [1], "I2.2": [19],
}

#: (action, date, title, done, evidence) — example milestones.
MILESTONES = [
    ("A1.1", dt.date(2025, 9, 15), "Ouverture de la plateforme", True, "unemployment_rate"),
    ("A1.1", dt.date(2026, 6, 30), "Bilan de la première année", True, None),
    ("A1.2", dt.date(2025, 9, 1), "Ouverture du campus connecté de Die", True, 6),
    ("A1.2", dt.date(2027, 9, 1), "Ouverture du campus connecté de Nyons", False, None),
    ("A1.3", dt.date(2026, 10, 15), "Première édition du salon", False, "industry_employment_share"),
    ("A2.1", dt.date(2026, 3, 31), "Kit de marque remis à 120 ambassadeurs", True, 8),
    ("P1.1", dt.date(2026, 3, 1), "Maison de santé de Buis-les-Baronnies", True, 11),
    ("P1.1", dt.date(2026, 9, 30), "Maison de santé de Châtillon-en-Diois", False, None),
    ("I1.1", dt.date(2026, 6, 1), "Ouverture de la vitrine", True, 16),
    ("I2.2", dt.date(2026, 5, 1), "Tronçon Crest–Aouste ouvert", True, 19),
]

#: (code, objective or None, action or None, PTOD columns by year, target value, target year). Baselines
#: and measurements are published PTOD values; targets are the example's.
KPIS = [
    ("employment_rate", "emploi", None, {2016: "eco_txemp_1564_16", 2022: "eco_txemp_1564_22"}, 70.0, 2030),
    ("executives_share", "talents", None, {2011: "dsp_csp_cadres_pct_11", 2016: "dsp_csp_cadres_pct_16",
                                           2022: "dsp_csp_cadres_pct_22"}, 10.0, 2030),
    ("unemployment_rate", None, "A1", {2022: "soc_txchom_1564_22"}, 10.8, 2032),
]

#: Opportunities and threats (and a few more items) curated by the team, with their evidence.
SWOT = [
    ("O", "Des télétravailleurs venus des métropoles", "attractivite", "resident_well_being", None, [14, "population_growth_long"]),
    ("O", "Le vélo le long de la ViaRhôna et de la vallée de la Drôme", "attractivite", "visitor_appeal", None, [19]),
    ("T", "La ressource en eau dans le sud drômois", "proximite", "land_use_housing", "drome-provencale", [17]),
    ("T", "Des déserts médicaux dans les zones rurales", "proximite", "resident_well_being", None, [11, "share_75_plus"]),
    ("W", "Un logement cher pour les jeunes actifs", "proximite", "land_use_housing", "vallee-du-rhone", [13, "house_price"]),
    ("S", "Un tissu industriel solide", "inventivite", "economic_attractiveness", None, ["industry_employment_share", 16]),
    ("T", "Une montagne à préserver plutôt qu'une station", "attractivite", "visitor_appeal", "vercors-royans", [9]),
]

PROOF_POINTS = [
    ("Un emploi qui progresse plus vite qu'ailleurs", ["employment_growth"]),
    ("Une terre d'industrie", ["industry_employment_share"]),
    ("Une population qui continue de croître", ["population_growth_long"]),
]


def prepare(process) -> dict:
    """Create (or recreate) the example strategy and plan; returns counts of what was made.

    Without the official geography the demo process has no sub-territories for the plan to name:
    the example is then skipped (``{"skipped": reason}``), the rest of the demo still starts.
    """
    if not process.subterritories.exists():
        return {"skipped": "no sub-territories (the official geography is not loaded)"}
    findings = _findings()
    with transaction.atomic():
        Action.objects.filter(process=process, example=True).delete()
        Objective.objects.filter(process=process, example=True).delete()
        SwotItem.objects.filter(process=process, example=True).delete()
        Orientation.objects.filter(process=process).delete()
        Positioning.objects.filter(process=process).delete()
        evidence = _evidence(process, findings)
        objectives = _strategy(process, evidence)
        import_plan(process, PLAN_FILE)
        Action.objects.filter(process=process, code__in=ACTION_EVIDENCE).update(example=True)
        actions = {a.code: a for a in Action.objects.filter(process=process, example=True)}
        for code, refs in ACTION_EVIDENCE.items():
            for ref in refs:
                if ref in evidence:
                    actions[code].link_evidence(evidence[ref])
        for code, date, title, done, ref in MILESTONES:
            Milestone.objects.create(action=actions[code], date=date, title=title, done=done, evidence=evidence.get(ref))
        kpis = _kpis(process, findings, objectives, actions, evidence)
        swot = _swot(process, findings, evidence)
    return {"evidence": len(evidence), "objectives": len(objectives), "actions": len(actions), "kpis": kpis,
            "swot": swot, "findings": bool(findings["records"])}


def _findings() -> dict:
    """Département findings of the Drôme and the PTOD wide table; empty when the file is missing."""
    try:
        path = locate(PTOD_FILE, download=False)
    except SourceUnavailable:
        return {"records": [], "wide": None}
    from atout.engine.catalogue import load_catalogue
    from atout.engine.findings import departement_findings
    from atout.engine.formats.ptod import read_ptod_values

    ptod = read_ptod_values(path)
    result = departement_findings(ptod, load_catalogue(), "26")
    return {"records": result["findings"], "wide": ptod.wide()}


def _evidence(process, findings: dict) -> dict:
    """Evidence by reference: catalogue code (finding) or statement number (opinion)."""
    evidence: dict = {}
    for finding in findings["records"]:
        evidence[finding["indicator"]] = evidence_from_finding(process, finding)

    conversation = Conversation.objects.filter(process=process, slug=CONVERSATION).first()
    if conversation is not None:
        for statement in conversation.statements.filter(status="accepted"):
            evidence[statement.number] = evidence_from_statement(process, statement, simulated=conversation.simulated)
    return evidence


def _strategy(process, evidence: dict) -> dict:
    axes = {a.code: a for a in process.axes.all()}
    positioning = Positioning.objects.create(
        process=process, example=True,
        ambition="Faire de la Drôme le département où l'on vient travailler, entreprendre et vivre entre Rhône et Alpes.",
        values="Authenticité, solidarité, audace",
        promise="Une qualité de vie rare et une économie productive, à deux heures de Lyon et de Marseille.",
        audiences="Talents et jeunes actifs ; entreprises industrielles ; visiteurs ; habitants",
        key_messages="La Drôme produit ; la Drôme soigne ses villages ; la Drôme se parcourt à vélo.",
    )
    for order, (claim, refs) in enumerate(PROOF_POINTS):
        proof = positioning.proof_points.create(claim=claim, order=order)
        for ref in refs:
            if ref in evidence:
                proof.link_evidence(evidence[ref])
    objectives = {}
    order = 0
    for axis_code, orientations in ORIENTATIONS.items():
        for title, items in orientations:
            orientation = Orientation.objects.create(process=process, axis=axes[axis_code], title=title)
            for code, objective_title, refs in items:
                objective = Objective.objects.create(process=process, code=code, axis=axes[axis_code], orientation=orientation,
                                                     title=objective_title, order=order, example=True)
                order += 1
                for ref in refs:
                    if ref in evidence:
                        objective.link_evidence(evidence[ref])
                objectives[code] = objective
    return objectives


def _kpis(process, findings: dict, objectives: dict, actions: dict, evidence: dict) -> int:
    wide = findings["wide"]
    if wide is None:
        return 0
    from atout.engine.catalogue import load_catalogue

    catalogue = load_catalogue()
    made = 0
    for code, objective, action, columns, target, target_year in KPIS:
        series = {year: float(wide.loc["26", column]) for year, column in columns.items() if column in wide.columns}
        if not series:
            continue
        indicator = catalogue[code]
        first = min(series)
        kpi = Kpi.objects.create(
            process=process, objective=objectives.get(objective), action=actions.get(action), indicator=code,
            label=indicator.label.fr, unit=indicator.unit, baseline_value=series[first], baseline_year=first,
            target_value=target, target_year=target_year, baseline_evidence=evidence.get(code),
        )
        for year, value in sorted(series.items()):
            if year != first:
                Measurement.objects.create(kpi=kpi, year=year, value=value, evidence=evidence.get(code),
                                           source=f"PTOD {columns[year]} (INSEE RP {year})")
        made += 1
    return made


def _swot(process, findings: dict, evidence: dict) -> int:
    proposed = propose_from_findings(process, findings["records"])
    # The example team accepts what the statistics propose; a real team curates each item.
    SwotItem.objects.filter(pk__in=[i.pk for i in proposed]).update(status=SwotItem.Status.ACCEPTED, example=True)
    axes = {a.code: a for a in process.axes.all()}
    zones = {t.code: t for t in process.subterritories.all()}
    made = len(proposed)
    for kind, title, axis, domain, zone, refs in SWOT:
        linked = [evidence[r] for r in refs if r in evidence]
        if not linked:
            continue  # never an item without its evidence
        item = SwotItem.objects.create(process=process, kind=kind, title=title, axis=axes.get(axis), domain=domain,
                                       subterritory=zones.get(zone) if zone else None,
                                       status=SwotItem.Status.ACCEPTED, example=True)
        for piece in linked:
            item.link_evidence(piece)
        made += 1
    return made

