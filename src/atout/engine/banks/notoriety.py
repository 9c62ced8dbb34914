"""The "notoriety and image" question bank of a territorial barometer, as data.

Questions a place-brand barometer asks year after year (the Anholt-GfK Nation and City Brands Index
method, regional brand barometers), adapted to a French Département or Région:

* **audience screening**: answering for oneself or for a company, region and département of residence
  (France-wide, the département list filtered by the region chosen), situation and readiness to move
  for studies or work — from which the *audiences* follow (:data:`AUDIENCES`);
* **unaided awareness** (an open answer, on its own page, before the territory is named) and **aided
  awareness** ("do you know X, even by name?"), asked of non-residents; a visit in the last 12 months;
* **image** along the place-brand hexagon (Anholt 2007: presence, place, pre-requisites, people, pulse,
  potential), two 1–5 agreement items per dimension named ``hex_<dimension>_<item>`` — the naming the
  survey results already read as hexagon scores; asked of residents and of those who know the territory;
* **intentions**: to stay (visit), to move there, to study or work there (talents), to invest (companies);
* **recommendation** on 0–10 (net promoter score) and **pride of belonging** (residents).

French labels first, English complete. Each question's ``relevant`` condition is the set of audiences
it is asked of, written in the XLSForm expression language (:mod:`atout.engine.expressions`), so the
same conditions select an audience's respondents in the analysis (:func:`audience_members`).

:func:`notoriety_form` builds the :class:`~atout.engine.formats.xlsform.Form` for one territory;
:func:`atout.engine.formats.xlsform.write_xlsform` writes it; :func:`barometer_measures` gives the
barometer's standard measures (:mod:`atout.engine.barometer`) over those questions.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from atout.engine import expressions
from atout.engine.barometer import Measure, hexagon_measures, mentions
from atout.engine.formats.xlsform import Choice, Form, Group, Question

#: Label languages, spelt as the survey pages expect them (``label::Français (fr)``).
FR, EN = "Français (fr)", "English (en)"
ABROAD = "etranger"

#: INSEE codes and names of the 18 regions (COG, since 2016): French, English.
REGIONS = {
    "84": ("Auvergne-Rhône-Alpes", "Auvergne-Rhône-Alpes"),
    "27": ("Bourgogne-Franche-Comté", "Bourgogne-Franche-Comté"),
    "53": ("Bretagne", "Brittany"),
    "24": ("Centre-Val de Loire", "Centre-Val de Loire"),
    "94": ("Corse", "Corsica"),
    "44": ("Grand Est", "Grand Est"),
    "32": ("Hauts-de-France", "Hauts-de-France"),
    "11": ("Île-de-France", "Île-de-France"),
    "28": ("Normandie", "Normandy"),
    "75": ("Nouvelle-Aquitaine", "Nouvelle-Aquitaine"),
    "76": ("Occitanie", "Occitanie"),
    "52": ("Pays de la Loire", "Pays de la Loire"),
    "93": ("Provence-Alpes-Côte d'Azur", "Provence-Alpes-Côte d'Azur"),
    "01": ("Guadeloupe", "Guadeloupe"),
    "02": ("Martinique", "Martinique"),
    "03": ("Guyane", "French Guiana"),
    "04": ("La Réunion", "Réunion"),
    "06": ("Mayotte", "Mayotte"),
}

AGREEMENT = [
    ("1", "Pas du tout d'accord", "Strongly disagree"), ("2", "Plutôt pas d'accord", "Disagree"),
    ("3", "Ni l'un ni l'autre", "Neither"), ("4", "Plutôt d'accord", "Agree"),
    ("5", "Tout à fait d'accord", "Strongly agree"),
]
AGREE = ("4", "5")
LIKELIHOOD = [
    ("certainement", "Oui, certainement", "Yes, certainly"), ("probablement", "Oui, probablement", "Yes, probably"),
    ("probablement_pas", "Non, probablement pas", "No, probably not"),
    ("certainement_pas", "Non, certainement pas", "No, certainly not"),
]
LIKELY = ("certainement", "probablement")
AWARENESS = [
    ("oui_bien", "Oui, et je vois bien de quoi il s'agit", "Yes, and I know it well"),
    ("oui_nom", "Oui, mais seulement de nom", "Yes, but only by name"),
    ("non", "Non", "No"),
]
AWARE = ("oui_bien", "oui_nom")
YES_NO = [("oui", "Oui", "Yes"), ("non", "Non", "No")]
YES_NO_UNSURE = [*YES_NO, ("nsp", "Je ne sais pas", "Not sure")]
RESPONDENT = [
    ("particulier", "À titre personnel", "For myself"),
    ("entreprise", "Au nom d'une entreprise ou d'un établissement (dirigeant, cadre, responsable)",
     "On behalf of a company or an establishment (head, manager)"),
]
SITUATIONS = [
    ("etudes", "En études", "Studying"), ("emploi", "En emploi", "Working"),
    ("recherche", "En recherche d'emploi", "Looking for a job"), ("retraite", "À la retraite", "Retired"),
    ("autre", "Autre situation", "Other"),
]
TALENT_SITUATIONS = ("etudes", "emploi", "recherche")

#: Place-brand items: name (hex_<dimension>_<item>), French, English. ``{Le}``/``{The}`` stand for the
#: territory with its article, capitalised. The names are those of the Drôme perception survey, so a
#: barometer and that survey can be read side by side.
HEXAGON_ITEMS = [
    ("hex_presence_connue", "{Le} a une bonne réputation en France", "{The} has a good reputation in France"),
    ("hex_presence_image", "{Le} évoque pour vous une image claire", "{The} brings a clear image to mind"),
    ("hex_place_paysages", "Ses paysages et son environnement sont remarquables",
     "Its landscapes and environment are remarkable"),
    ("hex_place_climat", "Le cadre de vie y est agréable (climat, nature, patrimoine)",
     "Life there is pleasant (climate, nature, heritage)"),
    ("hex_potential_emploi", "On peut y trouver un emploi ou y créer son entreprise", "One can find a job or start a business there"),
    ("hex_potential_etudes", "On peut y faire des études ou s'y former", "One can study or train there"),
    ("hex_pulse_culture", "La vie culturelle, sportive et festive y est riche", "Cultural, sports and festive life is rich there"),
    ("hex_pulse_dynamique", "C'est un territoire dynamique, il s'y passe des choses", "It is a lively place, things happen there"),
    ("hex_people_accueil", "Ses habitants sont accueillants", "Its people are welcoming"),
    ("hex_people_entraide", "On s'y sent entouré, il y a de l'entraide", "People there look out for each other"),
    ("hex_prerequisites_logement", "Se loger y est accessible", "Housing there is affordable"),
    ("hex_prerequisites_services", "Les services (santé, transports, écoles, numérique) y sont suffisants",
     "Services (health, transport, schools, broadband) are sufficient there"),
]


@dataclass(frozen=True)
class TerritoryNames:
    """How the questions name the territory, and who counts as a resident.

    ``the_fr``: with its article, lower case (``"la Drôme"``, ``"l'Ardèche"``, ``"le Rhône"``);
    ``in_fr``: ``"dans la Drôme"``, ``"en Ardèche"``; ``the_en``: ``"the Drôme"``;
    ``departements``: INSEE codes of the département(s) whose residents are the territory's residents
    (``("26",)``; every département of a region for a Région); ``region``: INSEE code of the region the
    unaided-awareness question asks about; ``aliases``: names that count as naming the territory in
    an open answer (default: ``name``).
    """

    name: str
    the_fr: str
    in_fr: str
    the_en: str
    departements: tuple[str, ...]
    region: str
    aliases: tuple[str, ...] = field(default=())

    def __post_init__(self):
        if not self.departements:
            raise ValueError("TerritoryNames: give the INSEE code(s) of the territory's département(s)")
        if self.region not in REGIONS:
            raise ValueError(f"TerritoryNames: unknown region code {self.region!r}; expected one of {sorted(REGIONS)}")

    @property
    def names_in_answers(self) -> tuple[str, ...]:
        return self.aliases or (self.name,)


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _labels(fr: str, en: str, names: TerritoryNames | None = None) -> dict[str, str]:
    if names is not None:
        fr = fr.format(le=names.the_fr, Le=_capitalised(names.the_fr), dans=names.in_fr,
                       region=REGIONS[names.region][0])
        en = en.format(the=names.the_en, The=_capitalised(names.the_en), region=REGIONS[names.region][1])
    return {FR: fr, EN: en}


def _choices(rows) -> list[Choice]:
    return [Choice(code, _labels(fr, en)) for code, fr, en in rows]


# ---------------------------------------------------------------------------------------------
# Audiences


@dataclass(frozen=True)
class Audience:
    """A group of respondents with its own questions and its own weighting.

    ``margins``: which population margins fit its weighting (documentation for the team; the
    figures come from INSEE files or the team).
    """

    code: str
    label_fr: str
    label_en: str
    margins: str


AUDIENCES = {
    "resident": Audience("resident", "Habitants", "Residents",
                         "INSEE population of the territory: age band × sex, sub-territory"),
    "non_resident": Audience("non_resident", "Non-résidents (France et étranger)", "Non-residents (France and abroad)",
                             "INSEE national population outside the territory: age band × sex, region of residence"),
    "talent": Audience("talent", "Talents : étudiants et actifs prêts à changer de région",
                       "Talents: students and workers ready to move region",
                       "none published: report unweighted, or weight to the national age band × sex of students and workers"),
    "company": Audience("company", "Entreprises", "Companies",
                        "INSEE establishments (SIRENE): size band × sector, where the team provides them"),
    "visitor": Audience("visitor", "Visiteurs : non-résidents venus dans les 12 derniers mois",
                        "Visitors: non-residents who came in the last 12 months",
                        "no population frame: report unweighted (or to the tourism office's visitor counts)"),
}


def audience_condition(audience: str, names: TerritoryNames) -> str:
    """The XLSForm condition that a respondent belongs to ``audience`` (a key of :data:`AUDIENCES`)."""
    resident = " or ".join(f"${{residence_departement}} = '{code}'" for code in names.departements)
    resident = f"({resident})"
    person = "${repondant} = 'particulier'"
    conditions = {
        "resident": resident,
        "non_resident": f"${{residence_region}} != '' and not{resident}",
        "talent": f"{person} and ("
                  + " or ".join(f"${{situation}} = '{s}'" for s in TALENT_SITUATIONS)
                  + ") and ${mobilite} = 'oui'",
        "company": "${repondant} = 'entreprise'",
        "visitor": "${visite} = 'oui'",
    }
    if audience not in conditions:
        raise ValueError(f"unknown audience {audience!r}; expected one of {list(AUDIENCES)}")
    return conditions[audience]


def audience_members(answers: pd.DataFrame, audience: str, names: TerritoryNames) -> np.ndarray:
    """Which respondents (rows of ``answers``, one column per question) belong to ``audience``.

    Evaluates :func:`audience_condition` with the engine's expression evaluator (missing answers
    count as ''). Output: a boolean array, one value per row.
    """
    condition = expressions.parse(audience_condition(audience, names))
    needed = expressions.references(condition)
    columns = [c for c in needed if c in answers.columns]
    rows = answers[columns].astype(object).where(answers[columns].notna(), None).to_dict("records")
    return np.array([expressions.evaluate_condition(condition, {**dict.fromkeys(needed), **row}) for row in rows], dtype=bool)


# ---------------------------------------------------------------------------------------------
# The form


def notoriety_form(names: TerritoryNames, departements: Sequence, *, form_id: str = "barometre_notoriete",
                   version: str = "1", title: dict[str, str] | None = None) -> Form:
    """The notoriety and image barometer questionnaire for one territory.

    Inputs: the territory's :class:`TerritoryNames`; every French département as records with
    ``code``, ``name`` and ``region`` (INSEE codes; e.g. :func:`atout.engine.formats.cog.read_departements`
    on the COG file), offered after the region of residence; the form's id and version; its title per
    language (default "Baromètre d'image — <name>"). Output: a :class:`Form` in French and English,
    to write with :func:`~atout.engine.formats.xlsform.write_xlsform`.
    """
    departements = list(departements)
    unknown = sorted({d.region for d in departements} - set(REGIONS))
    if unknown:
        raise ValueError(f"départements with unknown region code(s) {unknown}")
    missing = [code for code in names.departements if code not in {d.code for d in departements}]
    if missing:
        raise ValueError(f"the territory's département(s) {missing} are not in the département list")
    resident = audience_condition("resident", names)
    non_resident = audience_condition("non_resident", names)
    person = "${repondant} = 'particulier'"
    aware = "(${notoriete_assistee} = 'oui_bien' or ${notoriete_assistee} = 'oui_nom')"
    knows = f"({resident} or {aware})"
    title = title or _labels(f"Baromètre d'image — {names.name}", f"Image barometer — {names.name}")
    return Form(
        title=title.get(FR, names.name), id=form_id, version=version, default_language=FR, languages=[FR, EN],
        items=[
            _profile_page(departements),
            Group(name="notoriete_spontanee_page", labels=_labels("Les départements que vous connaissez",
                                                                  "The départements you know"),
                  appearance="field-list", relevant=non_resident, children=[
                Question(name="notoriete_spontanee", type="text", appearance="multiline",
                         labels=_labels("Quels départements de la région {region} connaissez-vous, ne serait-ce que de nom ?",
                                        "Which départements of the {region} region do you know, even by name?", names),
                         hints=_labels("Citez tous ceux qui vous viennent à l'esprit, sans chercher.",
                                       "Name all those that come to mind, without looking them up.")),
            ]),
            Group(name="notoriete_assistee_page", labels=_labels("{Le} et vous", "{The} and you", names),
                  appearance="field-list", relevant=non_resident, children=[
                Question(name="notoriete_assistee", type="select_one", list_name="notoriete", choices=_choices(AWARENESS),
                         labels=_labels("Connaissez-vous {le}, ne serait-ce que de nom ?",
                                        "Do you know {the}, even by name?", names)),
                Question(name="visite", type="select_one", list_name="oui_non", choices=_choices(YES_NO),
                         relevant=aware,
                         labels=_labels("Au cours des 12 derniers mois, avez-vous séjourné ou passé une journée {dans} "
                                        "(loisirs ou travail) ?",
                                        "In the last 12 months, have you stayed in or spent a day in {the} "
                                        "(leisure or work)?", names)),
            ]),
            Group(name="image", labels=_labels("Voici des phrases sur {le}. Êtes-vous d'accord ?",
                                               "Some statements about {the}. Do you agree?", names),
                  appearance="table-list", relevant=knows, children=[
                Question(name=name, type="select_one", list_name="accord", choices=_choices(AGREEMENT),
                         labels=_labels(fr, en, names))
                for name, fr, en in HEXAGON_ITEMS
            ]),
            Group(name="intentions", labels=_labels("Vos projets", "Your plans"), appearance="field-list",
                  relevant=f"{non_resident} or {audience_condition('company', names)}", children=[
                _likelihood("intention_sejour", f"{person} and {non_resident}",
                            "Envisagez-vous de séjourner {dans} (vacances, week-end) au cours des 12 prochains mois ?",
                            "Are you considering a stay in {the} (holiday, weekend) in the next 12 months?", names),
                _likelihood("intention_installation", f"{person} and {non_resident}",
                            "Pourriez-vous envisager de venir vivre {dans} dans les cinq prochaines années ?",
                            "Could you consider coming to live in {the} in the next five years?", names),
                _likelihood("intention_talent", f"{audience_condition('talent', names)} and {non_resident}",
                            "Pourriez-vous envisager d'y poursuivre vos études ou d'y travailler ?",
                            "Could you consider studying or working there?", names),
                _likelihood("intention_investissement", audience_condition("company", names),
                            "Votre entreprise pourrait-elle s'implanter, investir ou développer une activité {dans} "
                            "dans les trois prochaines années ?",
                            "Could your company set up, invest or expand in {the} in the next three years?", names),
            ]),
            Group(name="recommandation", labels=_labels("Recommandation et fierté", "Recommendation and pride"),
                  appearance="field-list", relevant=knows, children=[
                Question(name="recommande", type="score", bounds=(0.0, 10.0),
                         labels=_labels("Recommanderiez-vous {le} à un proche comme lieu où vivre, travailler ou séjourner ?",
                                        "Would you recommend {the} to a friend as a place to live, work or stay?", names),
                         hints=_labels("De 0 (certainement pas) à 10 (certainement)", "From 0 (certainly not) to 10 (certainly)")),
                Question(name="fierte", type="likert", list_name="accord", appearance="likert", choices=_choices(AGREEMENT),
                         relevant=f"{person} and {resident}",
                         labels=_labels("Je suis fier ou fière d'habiter {dans}", "I am proud to live in {the}", names)),
                Question(name="attachement", type="likert", list_name="accord", appearance="likert",
                         choices=_choices(AGREEMENT), relevant=f"{person} and {resident}",
                         labels=_labels("{Le} compte beaucoup pour moi", "{The} means a lot to me", names)),
            ]),
        ],
    )


def _profile_page(departements: Sequence) -> Group:
    regions = [Choice(code, _labels(fr, en)) for code, (fr, en) in sorted(REGIONS.items(), key=lambda r: r[1][0])]
    regions.append(Choice(ABROAD, _labels("Je n'habite pas en France", "I do not live in France")))
    by_code = sorted(departements, key=lambda d: d.code)
    return Group(name="audience", labels=_labels("Vous", "About you"), appearance="field-list", children=[
        Question(name="repondant", type="select_one", list_name="repondant", choices=_choices(RESPONDENT), required=True,
                 labels=_labels("Vous répondez :", "You are answering:")),
        Question(name="residence_region", type="select_one", list_name="regions", choices=regions, required=True,
                 appearance="minimal",
                 labels=_labels("Dans quelle région habitez-vous ?", "Which region do you live in?"),
                 hints=_labels("Pour une entreprise : la région de votre établissement.",
                               "For a company: the region of your establishment.")),
        Question(name="residence_departement", type="select_one", list_name="departements", required=True,
                 appearance="minimal", choice_filter="region=${residence_region}",
                 relevant=f"${{residence_region}} != '' and ${{residence_region}} != '{ABROAD}'",
                 choices=[Choice(d.code, _labels(f"{d.code} – {d.name}", f"{d.code} – {d.name}"), {"region": d.region})
                          for d in by_code],
                 labels=_labels("Dans quel département ?", "Which département?")),
        Question(name="situation", type="select_one", list_name="situation", choices=_choices(SITUATIONS),
                 relevant="${repondant} = 'particulier'",
                 labels=_labels("Quelle est votre situation ?", "What is your situation?")),
        Question(name="mobilite", type="select_one", list_name="oui_non_nsp", choices=_choices(YES_NO_UNSURE),
                 relevant=" or ".join(f"${{situation}} = '{s}'" for s in TALENT_SITUATIONS),
                 labels=_labels("Envisagez-vous de changer de région pour vos études ou votre travail dans les trois "
                                "prochaines années ?",
                                "Are you considering moving to another region for your studies or work in the next "
                                "three years?")),
    ])


def _likelihood(name: str, relevant: str, fr: str, en: str, names: TerritoryNames) -> Question:
    return Question(name=name, type="select_one", list_name="probabilite", choices=_choices(LIKELIHOOD),
                    relevant=relevant, labels=_labels(fr, en, names))


# ---------------------------------------------------------------------------------------------
# The barometer's measures over this bank

UNAIDED_COLUMN = "notoriete_spontanee_cite"


def with_unaided_awareness(answers: pd.DataFrame, names: TerritoryNames) -> pd.DataFrame:
    """``answers`` with a True/False/None column :data:`UNAIDED_COLUMN`: whether the open unaided-
    awareness answer names the territory (:func:`atout.engine.barometer.mentions`). An empty answer
    from someone who was asked counts as not naming it; not asked (no aided-awareness answer either)
    is left out of the base."""
    result = answers.copy()
    asked = answers["notoriete_assistee"].notna() if "notoriete_assistee" in answers else pd.Series(True, index=answers.index)
    texts = answers["notoriete_spontanee"] if "notoriete_spontanee" in answers else pd.Series(None, index=answers.index)
    named = mentions(texts.tolist(), names.names_in_answers, empty=False)
    result[UNAIDED_COLUMN] = [value if was_asked else None for value, was_asked in zip(named, asked, strict=True)]
    return result


def barometer_measures(columns: Collection[str] | None = None) -> list[Measure]:
    """The bank's standard measures, in reading order: unaided awareness (needs
    :func:`with_unaided_awareness`), aided awareness, awareness "knowing it well", visits, the six
    hexagon dimensions (means on 1–5), intentions (share answering certainly or probably), the NPS,
    and pride and attachment (share agreeing, 4–5).

    ``columns``: when given (the questions a survey actually has), only the measures whose answer
    columns are all among them — a barometer may use part of the bank."""
    measures = [
        Measure.proportion("notoriete_spontanee", UNAIDED_COLUMN),
        Measure.proportion("notoriete_assistee", success=AWARE),
        Measure.proportion("notoriete_qualifiee", "notoriete_assistee", ["oui_bien"]),
        Measure.proportion("visite", success=["oui"]),
        *hexagon_measures([name for name, _, _ in HEXAGON_ITEMS]),
        *[Measure.proportion(name, success=LIKELY)
          for name in ("intention_sejour", "intention_installation", "intention_talent", "intention_investissement")],
        Measure.nps("recommande"),
        Measure.proportion("fierte", success=AGREE),
        Measure.proportion("attachement", success=AGREE),
    ]
    if columns is None:
        return measures
    available = set(columns)
    return [m for m in measures if set(m.columns) <= available]


__all__ = [
    "ABROAD", "AUDIENCES", "EN", "FR", "HEXAGON_ITEMS", "REGIONS", "UNAIDED_COLUMN", "Audience", "TerritoryNames",
    "audience_condition", "audience_members", "barometer_measures", "notoriety_form", "with_unaided_awareness",
]
