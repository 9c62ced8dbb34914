"""Readable French labels for themes found automatically, and words for what a theme run did.

The themes engine (:mod:`atout.engine.themes`) names a theme by a list of its strongest terms
("logement, saisonnier, loyer"): exact, but a team reads "Logement, saisonniers et loyers" more easily
in a report. :func:`readable_label` turns such a keyword list (or the top terms) into a short phrase:
first letter upper case, the last two terms joined by "et", at most ``MAX_TERMS`` terms, repeated words
dropped. A label a person wrote is never a keyword list (:func:`is_keyword_list`) and is kept as is.

:func:`describe_run` and :func:`describe_edit` say in French what a run analysed and what people
changed, for the pages and the report (no parameter dictionary is ever shown).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence

#: Terms a label keeps: beyond three a label reads like a list again.
MAX_TERMS = 3
MAX_LENGTH = 120


def _fold(text: str) -> str:
    """Lower case without accents or surrounding spaces, to compare words."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def keyword_parts(label: str) -> list[str]:
    """The comma-separated parts of an automatic label."""
    return [p.strip() for p in label.split(",") if p.strip()]


def is_keyword_list(label: str, terms: Sequence[str]) -> bool:
    """True when ``label`` is the engine's keyword list: every comma-separated part is one of the
    theme's terms (or a word of one of its key phrases). A person's label ("Se loger quand on est
    saisonnier") is not."""
    parts = keyword_parts(label)
    if not parts:
        return True
    known = {_fold(t) for t in terms}
    known |= {_fold(w) for t in terms for w in t.split()}
    return all(_fold(p) in known for p in parts)


def readable_label(terms: Sequence[str], label: str = "") -> str:
    """A short French phrase from a theme's keyword label (else its top terms).

    >>> readable_label(["logement", "saisonnier", "loyer", "prix"])
    'Logement, saisonnier et loyer'
    >>> readable_label([], "vote blanc, impôt")
    'Vote blanc et impôt'
    """
    parts = keyword_parts(label) or [t for t in terms if t.strip()]
    chosen: list[str] = []
    seen: set[str] = set()
    for part in parts:
        words = {_fold(w) for w in part.split()}
        if words & seen:
            continue  # "vélo" after "piste vélo" adds nothing
        chosen.append(part.strip())
        seen |= words
        if len(chosen) == MAX_TERMS:
            break
    if not chosen:
        return ""
    phrase = chosen[0] if len(chosen) == 1 else ", ".join(chosen[:-1]) + " et " + chosen[-1]
    phrase = re.sub(r"\s+", " ", phrase)
    return (phrase[:1].upper() + phrase[1:])[:MAX_LENGTH]


def _plural(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n <= 1 else plural}"


def describe_run(parameters: Mapping, *, k: int | None = None, texts: int | None = None,
                 sources: Sequence[str] = ()) -> str:
    """What a run analysed and how, in one French sentence or two.

    ``parameters`` are the run's stored parameters; ``k`` the number of themes the engine kept;
    ``texts`` the number of texts analysed; ``sources`` readable names of what was analysed (import
    batches, a survey and its questions) when the caller knows them.
    """
    what: list[str] = list(sources)
    if parameters.get("source") == "survey":
        if not sources:
            what.append("les réponses ouvertes d'un questionnaire")
    else:
        if not sources:
            batches = parameters.get("batches")
            if batches is None:
                what.append("toutes les contributions importées")
            elif batches:
                what.append("les contributions de " + _plural(len(batches), "import choisi", "imports choisis"))
        if parameters.get("transcripts"):
            what.append("les paragraphes des comptes rendus de terrain")
    analysed = ", ".join(what) if what else "les textes de la démarche"
    count = f" ({_plural(texts, 'texte', 'textes')})" if texts else ""
    if parameters.get("k"):
        how = f"nombre de thèmes fixé à {parameters['k']}"
    elif k:
        how = f"nombre de thèmes choisi automatiquement : {k}"
    else:
        how = "nombre de thèmes choisi automatiquement"
    seed = parameters.get("seed")
    repeat = f" ; tirage n° {seed}, qui rend le résultat reproductible" if seed is not None else ""
    return f"Analyse automatique de {analysed}{count} ; {how}{repeat}."


def describe_edit(entry: Mapping, labels: Mapping[int, str] | None = None) -> str:
    """One human edit of a run (an entry of its history) in French."""
    labels = labels or {}

    def name(number) -> str:
        label = labels.get(number)
        return f"thème {number}" + (f" « {label} »" if label else "")

    action = entry.get("action")
    if action == "rename":
        return f"Thème {entry.get('theme')} renommé : « {entry.get('old', '')} » devient « {entry.get('new', '')} »."
    if action == "merge":
        others = [str(n) for n in entry.get("themes", []) if n != entry.get("into")]
        return f"Thèmes {', '.join(others)} fusionnés dans le {name(entry.get('into'))}."
    if action == "split":
        return f"Thème {entry.get('theme')} scindé en {entry.get('k', 2)} parties."
    if action == "move":
        moved = len(entry.get("answers", []))
        target = entry.get("to")
        where = f"vers le {name(target)}" if target is not None else "hors de tout thème"
        return f"{_plural(moved, 'texte déplacé', 'textes déplacés')} {where}."
    return "Retouche de l'analyse."
