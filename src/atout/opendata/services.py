"""A process's open data package, gathered from the other apps and written by :mod:`atout.engine.opendata`.

Nothing is computed here that another app already computes: indicator values come from
:func:`atout.diagnostic.analysis.figures`, survey results from :func:`atout.consultation.results.cached_results`
(the very tables of the results page, small cells already suppressed), themes from the published theme runs,
opinion groups from the conversations' latest analysis, progress from :func:`atout.actions.services.rollup`
and KPI statuses from :func:`atout.actions.services.kpi_statuses`. What this module adds is the choice of
what may be published: aggregates only (no response, no vote, no free-text answer, no user), statements
that passed moderation, quotes only from imported public contributions already pseudonymised.

:func:`export` writes the package all or nothing: into a temporary folder beside the target, validated
with ``frictionless``, then renamed.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone

from atout.actions import services as actions
from atout.consultation import results
from atout.consultation.models import Survey
from atout.diagnostic import analysis
from atout.diagnostic.catalogue_store import current_catalogue
from atout.diagnostic.models import Indicator
from atout.engine import opendata as engine
from atout.engine.opendata import CC_BY_4, ETALAB_2, Field, Package, Table
from atout.fieldwork import coding, themeruns
from atout.fieldwork.models import Codebook, ContributionImport, ThemeRun
from atout.opinion.models import Statement
from atout.processes.models import Process
from atout.strategy.models import Objective

logger = logging.getLogger(__name__)

K = 10  # respondents / texts: the small-cell threshold of the results pages (surveystats.DEFAULT_K)

#: Crosstab marks as words: a cell "+" or "-" would be taken for a formula by a spreadsheet program.
MARKS = {"+": "higher", "-": "lower"}
#: INSEE, DGCL and IGN publish under the Licence Ouverte 2.0.
ETALAB_INSEE = {**ETALAB_2, "title": "Licence Ouverte / Open Licence version 2.0 (Etalab) — données publiques INSEE, DGCL"}
PTOD_SOURCE = {"title": "Observatoire territorial PTOD : indicateurs départementaux calculés à partir de données ouvertes "
                        "INSEE, URSSAF et DVF", "path": "https://github.com/vincentroue/ptod-observatoire-territorial"}
PTOD_NOTE = (" Les valeurs publiées pour les départements et la France (origine « published », sources « PTOD ») "
             "viennent de l'observatoire PTOD, calculées à partir de données ouvertes INSEE, URSSAF et DVF ; son dépôt "
             "ne porte pas de fichier de licence : la Licence Ouverte s'applique aux données INSEE, vérifiez auprès de "
             "l'auteur de PTOD les conditions de réutilisation de ses propres calculs.")
SOURCE_QUOTES = {"name": "other-at", "title": "Conditions de la plateforme d'origine des textes (voir sources)"}


def is_public(process: Process) -> bool:
    """A process shown on the public site (the home page lists every process that is not a draft)."""
    return process.status != Process.Status.DRAFT


def _f(name: str, type_: str, description: str, **constraints) -> Field:
    return Field(name, type_, description, constraints=constraints)


# --------------------------------------------------------------------------------------- territories

def process_territories(process: Process) -> list[tuple[str, object]]:
    """(role, territory) for the process's territory, its sub-territories, EPCIs and communes."""
    territory = process.territory
    found = [("territory", territory)]
    seen = {territory.pk}
    groups = [("subterritory", t) for t in process.subterritories.order_by("code")]
    groups += [("epci", t) for t in territory.epcis()] if territory.level != "commune" else []
    groups += [("commune", t) for t in territory.communes().order_by("code")]
    for role, t in groups:
        if t.pk not in seen:
            seen.add(t.pk)
            found.append((role, t))
    return found


def territories_table(process: Process, rows: list[tuple[str, object]]) -> Table:
    data = []
    for role, t in rows:
        population = t.population if t.level == "commune" else t.computed_population()
        data.append((t.key, t.level, t.code, t.name, role, population))
    return Table(
        name="territories", title="Territoires de la démarche",
        description=("Le territoire de la démarche, ses sous-territoires de lecture, ses EPCI et ses communes "
                     "(Code officiel géographique). La population est la population municipale légale, "
                     "sommée sur les communes pour les territoires plus larges."),
        fields=[
            _f("key", "string", "Identifiant du territoire : niveau et code (dep:26, epci:200068781, zone:vercors, com:26362).",
               required=True, unique=True),
            _f("level", "string", "Niveau géographique.",
               required=True, enum=["country", "region", "departement", "epci", "zone", "commune"]),
            _f("code", "string", "Code officiel (COG INSEE, SIREN de l'EPCI) ou identifiant du sous-territoire.", required=True),
            _f("name", "string", "Nom.", required=True),
            _f("role", "string", "Rôle dans la démarche : territory (le territoire de la démarche), subterritory, epci, commune.",
               required=True, enum=["territory", "subterritory", "epci", "commune"]),
            _f("population", "integer", "Population municipale (habitants), populations légales INSEE.", minimum=0),
        ],
        rows=data, primary_key=["key"], licenses=[ETALAB_INSEE],
        sources=[{"title": "INSEE, Code officiel géographique 2025", "path": "https://www.insee.fr/fr/information/2560452"},
                 {"title": "INSEE, populations légales 2023 (géographie 2025)", "path": "https://www.insee.fr/fr/statistiques/8290591"},
                 {"title": "DGCL, composition communale des EPCI à fiscalité propre au 1er janvier 2025",
                  "path": "https://www.collectivites-locales.gouv.fr/institutions/liste-et-composition-des-epci-fiscalite-propre"}],
    )


# --------------------------------------------------------------------------------------- indicators

def indicator_tables(territories: list) -> list[Table]:
    catalogue = current_catalogue()
    indicators = list(Indicator.objects.order_by("order", "code"))
    codes = [i.code for i in indicators if i.code in catalogue]
    figures = analysis.figures(territories, codes, catalogue=catalogue) if codes and territories else {}
    values = []
    for territory in territories:
        for code in codes:
            figure = figures[territory.pk, code]
            if figure.origin == "missing" or figure.value is None:
                continue
            values.append((territory.key, code, figure.year, figure.value, figure.unit, figure.coverage,
                           figure.population_coverage, figure.origin, figure.source))
    published = any(v[7] == "published" for v in values) or "PTOD" in " ".join(i.source for i in indicators)
    producers = " ".join(i.source for i in indicators if i.code in codes)
    source_list = []
    if "INSEE" in producers:
        source_list.append({"title": "INSEE : recensement, état civil, Filosofi, BPE, SIDE, REE/SIRENE, hébergement "
                                     "touristique (base du comparateur de territoires et dossier complet) ; détail par "
                                     "indicateur dans la colonne source", "path": "https://www.insee.fr/fr/statistiques"})
    if "PTOD" in producers or published:
        source_list.append(PTOD_SOURCE)
    ptod_note = PTOD_NOTE if published else ""
    catalogue_table = Table(
        name="indicators", title="Catalogue des indicateurs",
        description="Les indicateurs du diagnostic statistique : définition, unité, source, millésime, polarité." + ptod_note,
        fields=[
            _f("code", "string", "Code de l'indicateur.", required=True, unique=True),
            _f("theme", "string", "Thème du diagnostic."),
            _f("label_fr", "string", "Libellé (français).", required=True),
            _f("label_en", "string", "Libellé (anglais)."),
            _f("definition_fr", "string", "Définition (français)."),
            _f("unit", "string", "Unité des valeurs."),
            _f("kind", "string", "Nature : count (effectif, sommé), ratio (recalculé), rate_of_change, level (niveau publié, jamais agrégé).",
               enum=["count", "ratio", "rate_of_change", "level"]),
            _f("polarity", "integer", "1 : plus haut = mieux ; -1 : plus bas = mieux ; 0 : neutre.", enum=[-1, 0, 1]),
            _f("domain", "string", "Domaine d'attractivité (OCDE)."),
            _f("dimension", "string", "Dimension."),
            _f("axis", "string", "Axe API (attractivité, proximité, inventivité) auquel l'indicateur se rattache."),
            _f("source", "string", "Producteur de la donnée."),
            _f("vintage", "string", "Millésime."),
        ],
        rows=[(i.code, i.theme, i.label_fr, i.label_en, i.definition_fr, i.unit, i.kind, i.polarity, i.domain,
               i.dimension, i.axis, i.source, i.vintage) for i in indicators if i.code in codes],
        primary_key=["code"], licenses=[ETALAB_INSEE], sources=source_list,
    )
    values_table = Table(
        name="indicator_values", title="Valeurs des indicateurs par territoire",
        description=("Chaque indicateur du catalogue pour chaque territoire de la démarche, tel que le diagnostic "
                     "le calcule : valeur importée, valeur observée d'une commune, agrégat de ses communes (effectifs "
                     "sommés, ratios recalculés, jamais de moyenne de taux) ou valeur publiée. Un secret statistique "
                     "ou une donnée absente n'a pas de ligne." + ptod_note),
        fields=[
            _f("territory", "string", "Territoire (clé de territories).", required=True),
            _f("indicator", "string", "Indicateur (code de indicators).", required=True),
            _f("year", "integer", "Année de la valeur (millésime)."),
            _f("value", "number", "Valeur, dans l'unité de la colonne unit.", required=True),
            _f("unit", "string", "Unité."),
            _f("coverage", "number", "Part des communes du territoire dont la donnée est connue (0–1).", minimum=0, maximum=1),
            _f("population_coverage", "number", "Part de la population couverte par ces communes (0–1).", minimum=0, maximum=1),
            _f("origin", "string", "Provenance : imported, observed, aggregated, published, partial aggregate.",
               enum=["imported", "observed", "aggregated", "published", "partial aggregate"]),
            _f("source", "string", "Source et millésime."),
        ],
        rows=values, primary_key=["territory", "indicator"],
        foreign_keys=[{"fields": ["territory"], "reference": {"resource": "territories", "fields": ["key"]}},
                      {"fields": ["indicator"], "reference": {"resource": "indicators", "fields": ["code"]}}],
        licenses=[ETALAB_INSEE], sources=source_list,
    )
    return [catalogue_table, values_table]


# --------------------------------------------------------------------------------------- surveys

def published_surveys(process: Process):
    return (Survey.objects.filter(process=process, current_version__isnull=False)
            .exclude(status=Survey.Status.DRAFT).select_related("current_version").order_by("slug"))


def survey_tables(process: Process, source: dict) -> list[Table]:
    surveys, frequencies, means, crosstabs, hexagon = [], [], [], [], []
    simulated = False
    for survey in published_surveys(process):
        data = results.cached_results(survey, language="fr", segments=["zone"])
        simulated = simulated or bool(data.get("simulated"))
        surveys.append((survey.slug, survey.title_fr, survey.status, data.get("version"), data["n"], data["weighted"],
                        data.get("weighted_n") if data["weighted"] else None, data.get("effective_n"),
                        data.get("simulated", 0), data.get("k", K)))
        for q in data["questions"]:
            if "frequencies" in q:
                block = q["frequencies"]
                for option in block["options"]:
                    frequencies.append((survey.slug, q["name"], q["label"], q["type"], option["code"], option["label"],
                                        block["n"], option["count"], option["share"], option["low"], option["high"],
                                        option["suppressed"]))
                for table in q.get("crosstabs", []):
                    for row, cells in zip(table["rows"], table["cells"], strict=True):
                        for column, c in zip(table["columns"], cells, strict=True):
                            crosstabs.append((survey.slug, q["name"], row["code"], column, c["n"], c["share"],
                                              MARKS.get(c["mark"]), c["suppressed"]))
            if "mean" in q:
                m, nps = q["mean"], q.get("nps") or {}
                means.append((survey.slug, q["name"], q["label"], q["type"], m["n"], m["mean"], m["low"], m["high"],
                              m["suppressed"], nps.get("score"), nps.get("low"), nps.get("high"),
                              nps.get("promoters"), nps.get("detractors")))
        for row in data["hexagon"]:
            hexagon.append((survey.slug, row["dimension"], row["n"], row["mean"], row["low"], row["high"], row["suppressed"]))
    note = (" Certaines réponses sont simulées (démonstration) : la colonne simulated_responses de surveys les compte."
            if simulated else "")
    rule = (f" Toute case de moins de {K} répondants est supprimée (valeurs vides, suppressed = true), "
            "exactement comme sur la page de résultats.")
    survey_key = {"fields": ["survey"], "reference": {"resource": "surveys", "fields": ["survey"]}}
    share = ("Part estimée (0–1), pondérée si l'enquête est redressée.", {"minimum": 0, "maximum": 1})
    common = {"licenses": [ETALAB_2], "sources": [source]}
    return [
        Table(name="surveys", title="Enquêtes publiées",
              description="Les enquêtes publiées de la démarche et leurs effectifs (réponses envoyées)." + note,
              fields=[
                  _f("survey", "string", "Identifiant de l'enquête.", required=True, unique=True),
                  _f("title", "string", "Titre."),
                  _f("status", "string", "open (ouverte) ou closed (close).", enum=["open", "closed"]),
                  _f("version", "integer", "Version publiée du questionnaire."),
                  _f("responses", "integer", "Réponses envoyées.", minimum=0),
                  _f("weighted", "boolean", "Résultats redressés (calage sur marges) ou non."),
                  _f("weighted_responses", "integer", "Réponses ayant un poids (base des résultats redressés).", minimum=0),
                  _f("effective_n", "number", "Taille effective de Kish (réponses pondérées / effet de plan).", minimum=0),
                  _f("simulated_responses", "integer", "Réponses simulées (démonstration) parmi les réponses.", minimum=0),
                  _f("k", "integer", "Seuil de suppression des petites cases (répondants).", minimum=1),
              ], rows=surveys, primary_key=["survey"], **common),
        Table(name="survey_frequencies", title="Résultats des questions à choix",
              description=("Pour chaque question à choix (unique, multiple, Likert, classement) : part de chaque "
                           "réponse parmi les répondants à la question, intervalle de confiance à 95 % (Wilson)." + rule),
              fields=[
                  _f("survey", "string", "Enquête (clé de surveys).", required=True),
                  _f("question", "string", "Nom de la question.", required=True),
                  _f("question_label", "string", "Libellé de la question (français)."),
                  _f("question_type", "string", "Type XLSForm (select_one, select_multiple, likert, rank)."),
                  _f("option", "string", "Code de la réponse.", required=True),
                  _f("option_label", "string", "Libellé de la réponse."),
                  _f("base", "integer", "Répondants à la question (base des parts).", minimum=0),
                  _f("count", "integer", "Répondants ayant choisi cette réponse (vide si supprimée).", minimum=0),
                  _f("share", "number", share[0], **share[1]),
                  _f("ci_low", "number", "Borne basse de l'intervalle à 95 % (0–1).", minimum=0, maximum=1),
                  _f("ci_high", "number", "Borne haute de l'intervalle à 95 % (0–1).", minimum=0, maximum=1),
                  _f("suppressed", "boolean", f"Case supprimée (moins de {K} répondants dans la réponse ou la base).", required=True),
              ], rows=frequencies, primary_key=["survey", "question", "option"], foreign_keys=[survey_key], **common),
        Table(name="survey_crosstabs", title="Résultats par sous-territoire",
              description=("Questions à choix unique croisées par sous-territoire du répondant : part de chaque réponse "
                           "dans la colonne, marque higher / lower quand la case s'écarte significativement (résidu "
                           "ajusté, 5 %)." + rule),
              fields=[
                  _f("survey", "string", "Enquête (clé de surveys).", required=True),
                  _f("question", "string", "Nom de la question.", required=True),
                  _f("option", "string", "Code de la réponse.", required=True),
                  _f("subterritory", "string", "Sous-territoire déclaré par le répondant (nom).", required=True),
                  _f("count", "integer", "Répondants de la case (vide si supprimée).", minimum=0),
                  _f("share", "number", "Part de la réponse parmi les répondants du sous-territoire (0–1).", minimum=0, maximum=1),
                  _f("mark", "string", "higher : part significativement plus forte que dans l'ensemble ; lower : plus faible.",
                     enum=["higher", "lower"]),
                  _f("suppressed", "boolean", f"Case supprimée (moins de {K} répondants).", required=True),
              ], rows=crosstabs, primary_key=["survey", "question", "option", "subterritory"],
              foreign_keys=[survey_key], **common),
        Table(name="survey_means", title="Moyennes et score de recommandation",
              description=("Questions numériques et notes : moyenne et intervalle à 95 % (t de Student) ; pour une "
                           "note de 0 à 10, score de recommandation (promoteurs 9–10 moins détracteurs 0–6, en points)." + rule),
              fields=[
                  _f("survey", "string", "Enquête (clé de surveys).", required=True),
                  _f("question", "string", "Nom de la question.", required=True),
                  _f("question_label", "string", "Libellé de la question (français)."),
                  _f("question_type", "string", "Type (score, integer, decimal)."),
                  _f("n", "integer", "Répondants.", minimum=0),
                  _f("mean", "number", "Moyenne (pondérée si redressée)."),
                  _f("ci_low", "number", "Borne basse à 95 %."),
                  _f("ci_high", "number", "Borne haute à 95 %."),
                  _f("suppressed", "boolean", f"Supprimée (moins de {K} répondants).", required=True),
                  _f("nps", "number", "Score de recommandation (points, -100 à 100).", minimum=-100, maximum=100),
                  _f("nps_low", "number", "Borne basse à 95 % du score."),
                  _f("nps_high", "number", "Borne haute à 95 % du score."),
                  _f("promoters", "number", "Part de promoteurs (9–10), 0–1.", minimum=0, maximum=1),
                  _f("detractors", "number", "Part de détracteurs (0–6), 0–1.", minimum=0, maximum=1),
              ], rows=means, primary_key=["survey", "question"], foreign_keys=[survey_key], **common),
        Table(name="survey_hexagon", title="Image du territoire (hexagone d'Anholt)",
              description=("Score moyen par dimension de l'image du territoire (questions hex_<dimension>_…, "
                           "moyennées par répondant puis sur les répondants, échelle 1 à 5)." + rule),
              fields=[
                  _f("survey", "string", "Enquête (clé de surveys).", required=True),
                  _f("dimension", "string", "Dimension de l'hexagone.", required=True),
                  _f("n", "integer", "Répondants.", minimum=0),
                  _f("mean", "number", "Score moyen."),
                  _f("ci_low", "number", "Borne basse à 95 %."),
                  _f("ci_high", "number", "Borne haute à 95 %."),
                  _f("suppressed", "boolean", f"Supprimé (moins de {K} répondants).", required=True),
              ], rows=hexagon, primary_key=["survey", "dimension"], foreign_keys=[survey_key], **common),
    ]


# --------------------------------------------------------------------------------------- themes

def theme_tables(process: Process, source: dict) -> list[Table]:
    small = themeruns.SMALL_CELL
    themes, quotes = [], []
    for run in process.theme_runs.filter(published=True, status=ThemeRun.Status.DONE).order_by("pk"):
        for theme in run.themes.select_related("code").order_by("number"):
            size = theme.size if theme.size >= small else None
            themes.append((run.pk, theme.number, run.label, theme.label, size, theme.size < small,
                           "; ".join(str(t) for t in theme.terms[:10]), theme.tonality or None,
                           theme.code.name if theme.code_id else None))
            # As on the public themes page: only quotes of imported public contributions (unit ids "c…").
            public = [q for q, unit in zip(theme.quotes, theme.quote_ids, strict=False) if str(unit).startswith("c")]
            for rank, text in enumerate(public[:3], start=1):
                quotes.append((run.pk, theme.number, rank, text))
    codes = []
    # No codebook yet: no codes (coding.frequencies would create an empty one).
    table = coding.frequencies(process, "session_kind") if Codebook.objects.filter(process=process).exists() else {"rows": []}
    for row in table["rows"]:
        code = row["code"]
        codes.append((str(code.guid), str(code.parent.guid) if code.parent_id else None, code.name, code.definition,
                      code.swot or None, code.axis.code if code.axis_id else None, row["total"]))
    imports = [{"title": f"{b.get_platform_display()} — {b.label or b.file_name}" + (f" ({b.note})" if b.note else "")}
               for b in ContributionImport.objects.filter(process=process).order_by("pk")]
    run_key = ["run", "theme"]
    return [
        Table(name="themes", title="Thèmes des textes libres",
              description=(f"Thèmes des analyses de textes publiées (contributions, transcriptions) : libellé, "
                           f"nombre de textes, termes principaux, tonalité. Un thème de moins de {small} textes "
                           "n'a pas d'effectif publié."),
              fields=[
                  _f("run", "integer", "Numéro de l'analyse.", required=True),
                  _f("theme", "integer", "Numéro du thème dans l'analyse.", required=True),
                  _f("run_label", "string", "Intitulé de l'analyse."),
                  _f("label", "string", "Libellé du thème.", required=True),
                  _f("texts", "integer", f"Textes rattachés au thème (vide si moins de {small}).", minimum=0),
                  _f("small", "boolean", f"Moins de {small} textes (effectif supprimé).", required=True),
                  _f("terms", "string", "Termes principaux, séparés par « ; »."),
                  _f("tonality", "string", "Tonalité : positive, negative, mixed, neutral.",
                     enum=["positive", "negative", "mixed", "neutral"]),
                  _f("code", "string", "Code de la grille d'analyse auquel le thème a été promu."),
              ], rows=themes, primary_key=run_key, licenses=[ETALAB_2], sources=[source]),
        Table(name="theme_quotes", title="Citations représentatives des thèmes",
              description=("Jusqu'à trois citations par thème, tirées uniquement des contributions publiques importées "
                           "(déjà pseudonymisées à la source), comme sur la page publique des thèmes. Jamais de réponse "
                           "d'enquête ni d'extrait de transcription. Ces textes restent soumis aux conditions de leur "
                           "plateforme d'origine (voir sources), pas à la licence du paquet."),
              fields=[
                  _f("run", "integer", "Numéro de l'analyse.", required=True),
                  _f("theme", "integer", "Numéro du thème.", required=True),
                  _f("rank", "integer", "Rang de la citation (1 = la plus représentative).", required=True, minimum=1),
                  _f("quote", "string", "Texte cité.", required=True),
              ], rows=quotes, primary_key=["run", "theme", "rank"],
              foreign_keys=[{"fields": run_key, "reference": {"resource": "themes", "fields": run_key}}],
              licenses=[SOURCE_QUOTES], sources=imports or [source]),
        Table(name="codes", title="Grille d'analyse qualitative",
              description=("Les codes de la grille d'analyse (thèmes définis par l'équipe) et le nombre d'extraits "
                           "codés avec chacun (groupes de discussion, entretiens, contributions, réponses ouvertes)."),
              fields=[
                  _f("code", "string", "Identifiant stable du code (UUID).", required=True, unique=True),
                  _f("parent", "string", "Code parent."),
                  _f("name", "string", "Nom.", required=True),
                  _f("definition", "string", "Définition."),
                  _f("swot", "string", "Catégorie AFOM : S force, W faiblesse, O opportunité, T menace.", enum=["S", "W", "O", "T"]),
                  _f("axis", "string", "Axe stratégique (code de axes)."),
                  _f("excerpts", "integer", "Extraits codés.", minimum=0),
              ], rows=codes, primary_key=["code"],
              foreign_keys=[{"fields": ["parent"], "reference": {"resource": "codes", "fields": ["code"]}},
                            {"fields": ["axis"], "reference": {"resource": "axes", "fields": ["code"]}}],
              licenses=[ETALAB_2], sources=[source]),
    ]


# --------------------------------------------------------------------------------------- opinion

def opinion_tables(process: Process, source: dict) -> list[Table]:
    conversations, groups, statements, results = [], [], [], []
    imported = []
    for conv in process.conversations.order_by("slug"):
        analysis = conv.latest_analysis()
        result = analysis.result if analysis else {}
        # Conversations imported with ``atout opinion import-polis`` carry "pol.is open data (…)" as source.
        from_polis = conv.source.startswith("pol.is")
        licence = CC_BY_4["name"] if from_polis else ETALAB_2["name"]
        if from_polis:
            imported.append({"title": f"{conv.slug} : {conv.source}"})
        conversations.append((conv.slug, conv.question, conv.status, conv.simulated, conv.source or None, licence,
                              result.get("in_conversation"), analysis.votes_count if analysis else None,
                              len(result.get("groups", [])) if analysis else None,
                              analysis.created if analysis else None))
        accepted = {s.number: s for s in conv.statements.filter(status=Statement.Status.ACCEPTED)}
        for number, s in sorted(accepted.items()):
            statements.append((conv.slug, number, s.text, s.seed))
        for group in result.get("groups", []):
            groups.append((conv.slug, group["id"], group["size"]))
            for item in group["representative"]:
                if item["statement"] in accepted:
                    results.append((conv.slug, item["statement"], "representative", group["id"], item["direction"],
                                    item["p"], item["n_success"], item["n_trials"], item["z"]))
        for direction in ("agree", "disagree"):
            for item in result.get("consensus", {}).get(direction, []):
                if item["statement"] in accepted:
                    results.append((conv.slug, item["statement"], "consensus", None, direction, item["p"],
                                    item["n_success"], item["n_trials"], item["z"]))
    licenses = [ETALAB_2] + ([CC_BY_4] if imported else [])
    sources = [source] + imported
    licence_note = (" Les conversations importées de pol.is (colonne source) sont sous licence CC BY 4.0 : citez leur "
                    "source." if imported else "")
    conv_key = {"fields": ["conversation"], "reference": {"resource": "opinion_conversations", "fields": ["conversation"]}}
    statement_key = ["conversation", "statement"]
    return [
        Table(name="opinion_conversations", title="Conversations (cartographie des opinions)",
              description="Les conversations de la démarche et leur dernière analyse (groupes d'opinion)." + licence_note,
              fields=[
                  _f("conversation", "string", "Identifiant de la conversation.", required=True, unique=True),
                  _f("question", "string", "Question posée."),
                  _f("status", "string", "open ou closed.", enum=["open", "closed"]),
                  _f("simulated", "boolean", "Votes simulés (démonstration)."),
                  _f("source", "string", "Pour une conversation importée : d'où elle vient."),
                  _f("license", "string", "Licence de la conversation : etalab-2.0, ou CC-BY-4.0 pour une conversation importée des données ouvertes de pol.is.",
                     enum=["etalab-2.0", "CC-BY-4.0"]),
                  _f("participants", "integer", "Participants retenus par l'analyse (assez de votes).", minimum=0),
                  _f("votes", "integer", "Votes analysés.", minimum=0),
                  _f("groups", "integer", "Groupes d'opinion trouvés.", minimum=0),
                  _f("analysed_at", "datetime", "Date de l'analyse."),
              ], rows=conversations, primary_key=["conversation"], licenses=licenses, sources=sources),
        Table(name="opinion_groups", title="Groupes d'opinion",
              description="Taille de chaque groupe d'opinion (ACP puis k-moyennes, k choisi par silhouette)." + licence_note,
              fields=[
                  _f("conversation", "string", "Conversation.", required=True),
                  _f("group", "integer", "Numéro du groupe (0, 1, …).", required=True, minimum=0),
                  _f("size", "integer", "Participants du groupe.", required=True, minimum=0),
              ], rows=groups, primary_key=["conversation", "group"], foreign_keys=[conv_key],
              licenses=licenses, sources=sources),
        Table(name="opinion_statements", title="Affirmations publiées",
              description="Les affirmations soumises au vote qui ont passé la modération (jamais leur auteur)." + licence_note,
              fields=[
                  _f("conversation", "string", "Conversation.", required=True),
                  _f("statement", "integer", "Numéro de l'affirmation dans la conversation.", required=True),
                  _f("text", "string", "Texte de l'affirmation.", required=True),
                  _f("seed", "boolean", "Proposée par l'équipe (sinon par un participant)."),
              ], rows=statements, primary_key=statement_key, foreign_keys=[conv_key],
              licenses=licenses, sources=sources),
        Table(name="opinion_statement_results", title="Affirmations consensuelles et clivantes",
              description=("Affirmations de consensus (partagées par tous les groupes) et affirmations représentatives "
                           "d'un groupe (qui le distinguent des autres : les affirmations clivantes), avec la part "
                           "d'accord (ou de désaccord) qui les justifie." + licence_note),
              fields=[
                  _f("conversation", "string", "Conversation.", required=True),
                  _f("statement", "integer", "Affirmation.", required=True),
                  _f("kind", "string", "consensus ou representative (propre à un groupe).", required=True,
                     enum=["consensus", "representative"]),
                  _f("group", "integer", "Groupe pour une affirmation representative ; vide pour un consensus.", minimum=0),
                  _f("direction", "string", "agree : d'accord ; disagree : pas d'accord.", required=True,
                     enum=["agree", "disagree"]),
                  _f("share", "number", "Part (lissée, 0–1) des votants du groupe, ou de tous, dans cette direction.",
                     minimum=0, maximum=1),
                  _f("votes_in_direction", "integer", "Votes dans cette direction.", minimum=0),
                  _f("votes", "integer", "Votes exprimés sur l'affirmation (dans le groupe ou au total).", minimum=0),
                  _f("z", "number", "Statistique z du test de proportion."),
              ], rows=results,
              foreign_keys=[{"fields": statement_key,
                             "reference": {"resource": "opinion_statements", "fields": statement_key}}],
              licenses=licenses, sources=sources),
    ]


# --------------------------------------------------------------------------------------- action plan

def action_tables(process: Process, source: dict) -> list[Table]:
    rollup = actions.rollup(process)
    late = set(rollup.late)
    axes = [(a.code, a.name_fr, a.name_en or None, rollup.axes.get(a.code)) for a in process.axes.all()]
    objectives = [(o.code, o.axis.code if o.axis_id else None, o.title, rollup.objectives.get(o.code))
                  for o in Objective.objects.filter(process=process).select_related("axis").order_by("order", "code")]
    rows, milestones = [], []
    for a in actions.actions_of(process):
        rows.append((a.code, a.parent.code if a.parent_id else None, a.title, a.description, a.axis.code if a.axis_id else None,
                     a.objective.code if a.objective_id else None, a.lead, a.partners, a.audiences,
                     ";".join(sorted(t.code for t in a.subterritories.all())) or None,
                     a.budget_planned, a.budget_committed, a.budget_spent, a.funding_sources, a.start, a.end, a.status,
                     a.progress, rollup.actions.get(a.code), a.code in late, a.example))
        for m in a.milestones.all():
            milestones.append((a.code, m.date, m.title, m.done))
    kpis, measurements = [], []
    for item in actions.kpi_statuses(process):
        kpi = item["kpi"]
        kpis.append((kpi.pk, kpi.action.code if kpi.action_id else None, kpi.objective.code if kpi.objective_id else None,
                     kpi.indicator, kpi.label, kpi.unit, kpi.baseline_value, kpi.baseline_year, kpi.target_value,
                     kpi.target_year, item["year"], item["value"], item["expected"], item["gap"], item["off_track"]))
        for m in item["measurements"]:
            measurements.append((kpi.pk, m.year, m.value, m.source))
    example = any(r[-1] for r in rows)
    note = " Les actions marquées example sont un exemple de démonstration, pas un plan adopté." if example else ""
    common = {"licenses": [ETALAB_2], "sources": [source]}
    kpi_sources = [source] + ([PTOD_SOURCE] if any("PTOD" in (m[3] or "") for m in measurements) else [])
    axis_key = {"fields": ["axis"], "reference": {"resource": "axes", "fields": ["code"]}}
    action_key = {"fields": ["action"], "reference": {"resource": "actions", "fields": ["id"]}}
    pct = {"minimum": 0, "maximum": 100}
    return [
        Table(name="axes", title="Axes stratégiques", description="Les axes de la stratégie et leur avancement (moyenne pondérée de leurs actions de premier niveau, abandonnées exclues).",
              fields=[
                  _f("code", "string", "Code de l'axe.", required=True, unique=True),
                  _f("name_fr", "string", "Nom (français).", required=True),
                  _f("name_en", "string", "Nom (anglais)."),
                  _f("progress", "number", "Avancement calculé (%), vide si aucune action ne compte.", **pct),
              ], rows=axes, primary_key=["code"], **common),
        Table(name="objectives", title="Objectifs", description="Les objectifs de la stratégie et leur avancement calculé.",
              fields=[
                  _f("code", "string", "Code de l'objectif.", required=True, unique=True),
                  _f("axis", "string", "Axe (code de axes)."),
                  _f("title", "string", "Objectif.", required=True),
                  _f("progress", "number", "Avancement calculé (%).", **pct),
              ], rows=objectives, primary_key=["code"], foreign_keys=[axis_key], **common),
        Table(name="actions", title="Plan d'actions",
              description=("Les actions (arborescentes), leur pilotage, leur budget, leur statut et leur avancement. "
                           "Avancement calculé : 100 pour une action réalisée, sinon celui saisi ou à défaut celui du "
                           "statut ; pour une action qui a des sous-actions, leur moyenne pondérée (abandonnées exclues). "
                           "late signale une action en retard à la date de l'export." + note),
              fields=[
                  _f("id", "string", "Identifiant de l'action.", required=True, unique=True),
                  _f("parent", "string", "Action parente."),
                  _f("title", "string", "Intitulé.", required=True),
                  _f("description", "string", "Description."),
                  _f("axis", "string", "Axe (code de axes)."),
                  _f("objective", "string", "Objectif (code de objectives)."),
                  _f("lead", "string", "Pilote (organisation — service)."),
                  _f("partners", "string", "Partenaires."),
                  _f("audiences", "string", "Publics cibles."),
                  _f("subterritories", "string", "Sous-territoires concernés (codes, séparés par « ; »)."),
                  _f("budget_planned", "number", "Budget prévu (euros).", minimum=0),
                  _f("budget_committed", "number", "Budget engagé (euros).", minimum=0),
                  _f("budget_spent", "number", "Budget dépensé (euros).", minimum=0),
                  _f("funding_sources", "string", "Financements."),
                  _f("start", "date", "Début."),
                  _f("end", "date", "Fin prévue."),
                  _f("status", "string", "Statut.", required=True,
                     enum=["planned", "in_progress", "done", "late", "abandoned"]),
                  _f("progress_entered", "number", "Avancement saisi (%), vide : celui du statut.", **pct),
                  _f("progress", "number", "Avancement calculé (%), selon la règle ci-dessus.", **pct),
                  _f("late", "boolean", "En retard à la date de l'export.", required=True),
                  _f("example", "boolean", "Action d'exemple (démonstration)."),
              ], rows=rows, primary_key=["id"],
              foreign_keys=[{"fields": ["parent"], "reference": {"resource": "actions", "fields": ["id"]}}, axis_key,
                            {"fields": ["objective"], "reference": {"resource": "objectives", "fields": ["code"]}}],
              **common),
        Table(name="milestones", title="Jalons des actions", description="Les jalons datés de chaque action, atteints ou non.",
              fields=[
                  _f("action", "string", "Action (id de actions).", required=True),
                  _f("date", "date", "Date prévue.", required=True),
                  _f("title", "string", "Jalon.", required=True),
                  _f("done", "boolean", "Atteint.", required=True),
              ], rows=milestones, foreign_keys=[action_key], **common),
        Table(name="kpis", title="Indicateurs de suivi",
              description=("Les indicateurs de résultat du plan : référence, cible, dernière mesure, valeur attendue "
                           "sur la trajectoire linéaire de la référence à la cible, écart et alerte."),
              fields=[
                  _f("kpi", "integer", "Identifiant.", required=True, unique=True),
                  _f("action", "string", "Action suivie (id de actions)."),
                  _f("objective", "string", "Objectif suivi (code de objectives)."),
                  _f("indicator", "string", "Indicateur du catalogue (code)."),
                  _f("label", "string", "Libellé.", required=True),
                  _f("unit", "string", "Unité."),
                  _f("baseline_value", "number", "Valeur de référence.", required=True),
                  _f("baseline_year", "integer", "Année de référence.", required=True),
                  _f("target_value", "number", "Cible.", required=True),
                  _f("target_year", "integer", "Année cible.", required=True),
                  _f("latest_year", "integer", "Année de la dernière mesure."),
                  _f("latest_value", "number", "Dernière mesure."),
                  _f("expected", "number", "Valeur attendue cette année-là sur la trajectoire."),
                  _f("gap", "number", "Dernière mesure moins valeur attendue, dans l'unité, signée : négatif = en retard."),
                  _f("off_track", "boolean", "Hors trajectoire.", required=True),
              ], rows=kpis, primary_key=["kpi"],
              foreign_keys=[action_key, {"fields": ["objective"], "reference": {"resource": "objectives", "fields": ["code"]}}],
              **common),
        Table(name="kpi_measurements", title="Mesures des indicateurs de suivi", description="Chaque mesure d'un indicateur de suivi.",
              fields=[
                  _f("kpi", "integer", "Indicateur de suivi (kpi de kpis).", required=True),
                  _f("year", "integer", "Année.", required=True),
                  _f("value", "number", "Valeur.", required=True),
                  _f("source", "string", "Source de la mesure."),
              ], rows=measurements, primary_key=["kpi", "year"],
              foreign_keys=[{"fields": ["kpi"], "reference": {"resource": "kpis", "fields": ["kpi"]}}],
              licenses=[ETALAB_2], sources=kpi_sources),
    ]


# --------------------------------------------------------------------------------------- package

def build(process: Process) -> tuple[Package, list[Table]]:
    """The package's metadata and its tables (rows computed now)."""
    process_source = {"title": f"atout — démarche « {process.title} » ({process.territory.name})"}
    rows = process_territories(process)
    territories = [t for _role, t in rows]
    tables = [territories_table(process, rows)]
    tables += indicator_tables(territories)
    tables += survey_tables(process, process_source)
    tables += theme_tables(process, process_source)
    tables += opinion_tables(process, process_source)
    tables += action_tables(process, process_source)
    demo = (" Démarche de démonstration : les réponses, votes et actions signalés comme simulés ou exemples "
            "ne sont pas réels." if process.is_demo else "")
    package = Package(
        name=f"atout-{process.slug}".lower(), title=f"{process.title} — données ouvertes",
        description=(f"Données ouvertes de la démarche d'attractivité « {process.title} » ({process.territory.name}) : "
                     "territoires, indicateurs du diagnostic, résultats agrégés des enquêtes (petites cases supprimées), "
                     "thèmes, groupes d'opinion, plan d'actions et suivi. Aucune donnée personnelle : ni réponse "
                     "individuelle, ni vote, ni texte libre de réponse, ni nom ou adresse." + demo),
        licenses=[ETALAB_2], sources=[process_source, *tables[0].sources],
        keywords=["attractivité", "marketing territorial", process.territory.name],
        created=timezone.now().astimezone(dt.UTC),
    )
    return package, tables


@dataclass
class ExportResult:
    directory: Path
    resources: list[engine.WrittenResource]
    valid: bool
    errors: list[str]

    def as_dict(self) -> dict:
        return {"directory": str(self.directory), "valid": self.valid,
                "resources": [{"name": r.name, "path": r.path, "rows": r.rows} for r in self.resources]}


class ExportError(Exception):
    """The package could not be written or is not valid; nothing was left at the target."""


def validate(directory: Path) -> list[str]:
    """Problems ``frictionless`` finds in the package at ``directory`` (empty when valid)."""
    import frictionless

    report = frictionless.validate(str(directory / engine.DESCRIPTOR))
    if report.valid:
        return []
    problems = [error.message for error in report.errors]
    for task in report.tasks:
        problems += [f"{task.name}: row {row}, field {column}: {message}"
                     for row, column, message in task.flatten(["rowNumber", "fieldNumber", "message"])]
    return problems


def write(process: Process, directory: Path) -> list[engine.WrittenResource]:
    """Write the package's files into an existing ``directory``."""
    package, tables = build(process)
    return engine.write_package(package, tables, directory)


def export(process: Process, target: str | Path, *, replace: bool = False) -> ExportResult:
    """Write and validate the package into ``target`` all or nothing.

    The files go to a temporary folder beside ``target`` that is renamed to ``target`` only once
    ``frictionless`` has found the package valid; any failure removes it and raises :class:`ExportError`.
    ``target`` must not exist or be an empty folder, unless ``replace`` (then an existing package is swapped).
    """
    target = Path(target).absolute()
    if target.exists() and not target.is_dir():
        raise ExportError(f"{target}: exists and is not a folder")
    if target.is_dir() and any(target.iterdir()) and not replace:
        raise ExportError(f"{target}: folder is not empty")
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        written = write(process, work)
        problems = validate(work)
        if problems:
            raise ExportError("the package does not validate: " + "; ".join(problems[:5]))
        if target.exists():
            old = target.with_name(f".{target.name}-old-{dt.datetime.now().strftime('%Y%m%d%H%M%S%f')}")
            target.rename(old)
            work.rename(target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            work.rename(target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return ExportResult(target, written, True, [])


# --------------------------------------------------------------------------------------- published copy

#: How long the copy served by the public page is kept before it is generated again (seconds).
MAX_AGE = 3600


def cache_root() -> Path:
    """``VAR_DIR/opendata/<database>``: one cache per database, so two databases never share a copy."""
    import hashlib

    from django.conf import settings
    from django.db import connection

    database = hashlib.sha256(str(connection.settings_dict.get("NAME")).encode()).hexdigest()[:12]
    return Path(settings.VAR_DIR) / "opendata" / database


def published_package(process: Process, *, max_age: int = MAX_AGE) -> Path:
    """The folder of the package served by the public page (``VAR_DIR/opendata/<slug>``), generated on demand.

    A copy younger than ``max_age`` seconds is reused; otherwise a new one is written and validated beside it
    and swapped in (see :func:`export`). A file lock keeps several application processes from generating it
    at the same time; while one regenerates it, the others serve the previous copy (or wait when there is
    none). The zip of the package is made with it (``<slug>.zip``).
    """
    import fcntl

    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    folder = root / process.slug
    descriptor = folder / engine.DESCRIPTOR

    def fresh() -> bool:
        import time

        return descriptor.is_file() and time.time() - descriptor.stat().st_mtime < max_age and zip_path(process).is_file()

    if fresh():
        return folder
    with (root / f".{process.slug}.lock").open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if descriptor.is_file() and zip_path(process).is_file():
                return folder  # being regenerated by another request: serve the previous copy meanwhile
            fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not fresh():  # another process may have made it while we waited
                try:
                    result = export(process, folder, replace=True)
                except ExportError:
                    if not (descriptor.is_file() and zip_path(process).is_file()):
                        raise
                    # Keep serving the last valid copy; try again after max_age rather than on every request.
                    logger.exception("open data package of %s not regenerated; the previous copy is served", process.slug)
                    descriptor.touch()
                    return folder
                _write_zip(process, folder)
                counts = {r.name: r.rows for r in result.resources}
                _rows_path(process).write_text(json.dumps(counts), encoding="utf-8")
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return folder


def _rows_path(process: Process) -> Path:
    return cache_root() / f"{process.slug}.rows.json"


def zip_path(process: Process) -> Path:
    return cache_root() / f"{process.slug}.zip"


def _write_zip(process: Process, folder: Path) -> Path:
    import zipfile

    target = zip_path(process)
    partial = target.with_name(f".{target.name}.partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, arcname=f"{process.slug}/{path.name}")
    partial.replace(target)
    return target


def listing(folder: Path) -> dict:
    """The descriptor of a written package, with each resource's number of rows (noted when the package was
    written, else counted in its CSV)."""
    import csv

    descriptor = json.loads((folder / engine.DESCRIPTOR).read_text(encoding="utf-8"))
    noted = folder.parent / f"{folder.name}.rows.json"
    counts = json.loads(noted.read_text(encoding="utf-8")) if noted.is_file() else {}
    for resource in descriptor["resources"]:
        if resource["name"] in counts:
            resource["rows"] = counts[resource["name"]]
            continue
        with (folder / resource["path"]).open(encoding="utf-8", newline="") as handle:
            resource["rows"] = sum(1 for _row in csv.reader(handle)) - 1
    return descriptor
