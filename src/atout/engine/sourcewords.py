"""Where a figure comes from, in words a resident or an elected official reads: "Insee, recensement de
la population 2022" rather than "INSEE, recensement 2022 (comparateur 2025, P22_RSECOCC)".

The catalogue's ``source`` texts are written for analysts: they name the producer, the survey, and
often the column or PTOD code the value was read from. Those codes are exact and stay in the CSV
downloads and the methods page; the pages and reports for the public show :func:`source_words`.

Input: the source text and (optionally) the vintage ("2022", "2016-2022"). Output: one French phrase,
"Producteur, dispositif année" — codes, file names and paths removed, acronyms spelled as their
producers write them, the period given in words when the text does not already say it.
"""

from __future__ import annotations

import re

#: Names written with a slash or as file names, read before the codes are removed.
BEFORE = [
    (r"\bREE/SIRENE\b", "répertoire des entreprises et des établissements (Sirene)"),
    (r"\bbase_cc_comparateur_(\d{4})\w*(?:\.csv)?", r"base du comparateur de territoires \1"),
    (r"\bdossier_complet\w*(?:\.csv)?", "dossier complet"),
    (r"\bPTOD, observatoire territorial\b", "PTOD"),
    # The value published for a département (analysis.figures): its producer is already named.
    (r"\s*;\s*PTOD, valeur publiée(?: \([^)]*\))?", ""),
    (r";\s*PTOD\s+\S+\s+pour les départements", " ; pour les départements, valeurs publiées par PTOD"),
    # PTOD (INSEE RP 2022), code → the producer in front: "INSEE RP 2022, calcul de PTOD".
    (r"^PTOD \(([^)]*)\)", r"\1, calcul de PTOD"),
]

#: Producers and statistical operations, as their own publications name them.
WORDS = [
    (r"\bSIRENE\b", "répertoire Sirene"),
    (r"\bBPE\b", "base permanente des équipements"),
    (r"\bINSEE Filosofi\b", "Insee, revenus localisés (Filosofi)"),
    (r"\bFilosofi\b(?!\))", "revenus localisés (Filosofi)"),
    (r"\bURSSAF-ACOSS\b", "Urssaf"),
    (r"\bURSSAF\b", "Urssaf"),
    (r"\bINSEE SIDE\b", "Insee, démographie des entreprises"),
    (r"\bSIDE\b", "démographie des entreprises"),
    (r"\bINSEE FLORES\b", "Insee, emploi salarié localisé (Flores)"),
    (r"\bDGFiP DVF\b", "DGFiP, demandes de valeurs foncières"),
    (r"\bDVF\b", "demandes de valeurs foncières"),
    (r"\bINSEE RP\b", "Insee, recensement de la population"),
    (r"\bRP\b", "recensement de la population"),
    (r"\brecensements\b(?! de la population)", "recensements de la population"),
    (r"\brecensement\b(?! de la population)", "recensement de la population"),
    (r"\bINSEE\b", "Insee"),
    (r"\b(de|par) PTOD\b", r"\1 l'observatoire territorial PTOD"),
    (r"(?<!territorial )\bPTOD\b", "observatoire territorial PTOD"),
    # Which product of a producer carried the figure is a detail for the methods page.
    (r"\s*\((?:base du )?comparateur[^)]*\)", ""),
    (r"\s*\(dossier complet[^)]*\)", ""),
]

#: Things that are not words for a reader: PTOD codes (``dm_pop_vtcam_1622``), raw column codes
#: (``P22_RSECOCC``, ``NAIS1621``, ``ETTOT24``, ``HT26``), file names and paths.
CODE = re.compile(
    r"(?:[\w.-]*/)+[\w.-]+"  # a path
    r"|\b[a-z]+(?:_[a-z0-9]+)+\b"  # snake_case codes (PTOD, catalogue)
    r"|\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b"  # raw columns with an underscore
    r"|\b[A-Z]{2,}\d{2,}\b"  # raw columns ending in years (NAIS1621, ETTOT24, HT26)
    r"|\b[\w-]+\.(?:csv|json|xlsx?|ods|geojson)\b"
)


def _clean(text: str) -> str:
    for pattern, words in BEFORE:
        text = re.sub(pattern, words, text)
    text = CODE.sub("", text)
    text = re.sub(r"(?:\s*\+\s*)+(?=[),])", "", text)  # "HT26 + CPG26" once the codes are gone
    text = re.sub(r"\(\s*\+\s*", "(", text)
    for pattern, words in WORDS:
        text = re.sub(pattern, words, text)
    # What the code removal leaves behind: empty brackets, dangling commas, doubled spaces.
    text = re.sub(r"\(\s*[,;+]?\s*\)", "", text)
    text = re.sub(r"\(\s*,\s*", "(", text)
    text = re.sub(r"\s*,\s*\)", ")", text)
    text = re.sub(r"\s+([,)])", r"\1", text)
    text = re.sub(r"([,;])\s*(?=[,;]|$)", "", text)
    text = re.sub(r"\b((19|20)\d\d)\b(.*?)\s*\(\1\)", r"\1\3", text)  # "2025 (2025)"
    text = re.sub(r",?\s*\(((?:19|20)\d\d)\s*[-–]\s*((?:19|20)\d\d)\)", r", de \1 à \2", text)
    text = re.sub(r",?\s*\(((?:19|20)\d\d)\)", r", \1", text)
    text = re.sub(r"\s{2,}", " ", text)
    return text.strip(" ,;")


def period_words(vintage: str) -> str:
    """"2022" → "2022"; "2016-2022" → "de 2016 à 2022"; anything else → ""."""
    years = re.findall(r"(?:19|20)\d\d", vintage or "")
    if len(years) == 1:
        return years[0]
    if len(years) >= 2:
        return f"de {years[0]} à {years[-1]}"
    return ""


def source_words(source: str, vintage: str = "") -> str:
    """The source and vintage of a figure as one plain French phrase (see the module docstring)."""
    text = _clean(source or "")
    period = period_words(vintage)
    if not text:
        return period
    years = set(re.findall(r"(?:19|20)\d\d", text))
    wanted = set(re.findall(r"(?:19|20)\d\d", vintage or ""))
    if period and not wanted <= years:
        text = f"{text}, {period}"
    return text[0].upper() + text[1:]
