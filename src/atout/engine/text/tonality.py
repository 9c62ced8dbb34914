"""Tonality of French answers: positive, negative, mixed or neutral, from a small lexicon.

Method (deliberately simple and auditable, no model to download):

1. each word is lemmatised (simplemma) and looked up, accents removed, in two hand-written lists
   of evaluative lemmas — approval, satisfaction, agreement, hope (positive); criticism,
   injustice, anger, failure, disagreement (negative) — plus a few fixed expressions
   (``d'accord``, ``bonne idée``, ``pas normal``…);
2. a negator (``ne``, ``n'``, ``pas``, ``jamais``, ``aucun``, ``sans``, ``ni``, ``rien``) flips
   the polarity of the evaluative words in the next three words (``pas juste`` is negative,
   ``pas d'accord`` is negative, ``ne pas oublier`` stays as it is: *oublier* is not evaluative);
3. with ``p`` positive and ``n`` negative hits: neutral when both are 0; positive when ``p ≥ 2n``
   and ``p > 0``; negative when ``n ≥ 2p`` and ``n > 0``; mixed otherwise.

The lexicon was written before the labelled sample ``tests/fixtures/tonality_lille.csv`` was
annotated; it was then completed by reading the errors on the *development* half of that sample
only (odd line numbers); the accuracy quoted in ``docs/methods/themes.md`` is on the other half.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .french import lemma, strip_accents, tokens

LABELS = ("positive", "negative", "mixed", "neutral")

POSITIVE = frozenset("""
    bon bien meilleur excellent excellente super genial formidable parfait parfaitement
    bravo merci felicitation feliciter beau belle magnifique agreable plaisir heureux heureuse
    content satisfait satisfaction apprecier aimer adorer interessant pertinent judicieux
    efficace utile positif positive favorable soutenir soutien approuver adherer
    accord daccord raccord evidemment certainement oui
    juste justice equitable equite solidaire solidarite progres reussite reussir succes
    ameliorer amelioration benefique avantageux opportunite chance espoir esperer confiance
    fier fierte innovant dynamique sain
    bienvenu encourager encouragement valoriser respect respecter respectueux serein sereinement
    clair coherent realiste raisonnable sensé sense logique intelligent sage
    normal
""".split())

NEGATIVE = frozenset("""
    mal mauvais mauvaise pire nul nulle horrible terrible catastrophe catastrophique desastre
    desastreux scandale scandaleux honte honteux inadmissible inacceptable insupportable
    intolerable aberrant aberration absurde ridicule stupide idiot inutile inefficace
    injuste injustice inegalite inegal inequitable abus abuser abusif privilege privilegie
    corruption corrompu gaspillage gaspiller gabegie
    probleme difficulte difficile crise colere rage marre ras-le-bol degout degoute decu decevoir
    deception mecontent mecontentement insatisfait frustration frustre peur crainte craindre
    inquiet inquietude inquietant danger dangereux menace menacer risque grave gravement
    precarite precaire pauvrete misere souffrir souffrance chomage fermeture fermer disparaitre
    disparition abandon abandonner oublier oubli mepris mepriser arrogance arrogant mensonge
    mentir menteur trahir trahison hypocrisie hypocrite demagogie demagogique populiste
    opposer opposition refuser refus rejeter rejet denoncer critiquer critique
    echec echouer perte perdre degradation degrader deteriorer
    detruire destruction violence violent insecurite matraquage
    cher couteux excessif exorbitant indecent obscene exagere excessivement trop
    impossible incapable incompetent incompetence lamentable pitoyable deplorable regrettable
    regretter dommage triste tristesse malheureusement helas faute coupable
    impose imposer obliger contrainte forcer interdit bafouer ignorer
    fausse faux erreur tromper arnaque voler vol racket
    anormal lobby lobbies avarice fallacieux nepotisme fardeau tyrannie
""".split())

# Expressions read before single words: key tuple of accent-free lemmas → polarity.
EXPRESSIONS = {
    ("de", "accord"): 1,
    ("d", "accord"): 1,
    ("bonne", "idee"): 1,
    ("bon", "idee"): 1,
    ("tout", "a", "fait"): 1,
    ("pas", "normal"): -1,
    ("ras", "le", "bol"): -1,
    ("y", "en", "a", "marre"): -1,
    ("il", "est", "temps"): 0,
    ("au", "detriment"): -1,
    ("deux", "poids", "deux", "mesures"): -1,
    ("sans", "aucun", "doute"): 1,
    ("premier", "pas"): 1,
    ("non", ""): -1,  # "Non," / "Non." : a refusal ("" is the clause break that follows)
}

NEGATORS = frozenset({"ne", "n", "pas", "jamais", "aucun", "aucune", "ni", "sans", "rien", "nullement", "guere"})
_NEGATION_SPAN = 3


@dataclass(frozen=True)
class Tonality:
    """Tonality of one text: its label and the evaluative hits that decided it."""

    label: str
    positive: int
    negative: int


_EXPRESSIONS_BY_FIRST: dict[str, list[tuple[tuple[str, ...], int]]] = {}
for _expr, _pol in EXPRESSIONS.items():
    _EXPRESSIONS_BY_FIRST.setdefault(_expr[0], []).append((_expr, _pol))

# token → (accent-free token, polarity, is a negator, may start an expression, is a clause break,
# matters at all); one lookup per distinct word form, so scoring a text is a walk over cached tuples.
class _InfoCache(dict):
    def __missing__(self, token: str) -> tuple[str, int, bool, bool, bool, bool]:
        if not token[0].isalpha():
            value = ("", 0, False, False, True, True)
        else:
            bare = strip_accents(token)
            polarity = word_polarity(token)
            negator = bare in NEGATORS
            may_start = bare in _EXPRESSIONS_BY_FIRST
            value = (bare, polarity, negator, may_start, False, bool(polarity or negator or may_start))
        self[token] = value
        return value


_info = _InfoCache()


def word_polarity(token: str) -> int:
    """+1, -1 or 0 for a lower-case token, through its accent-free lemma."""
    bare = strip_accents(token)
    key = strip_accents(lemma(token))
    if bare in POSITIVE or key in POSITIVE:
        return 1
    if bare in NEGATIVE or key in NEGATIVE:
        return -1
    return 0


def tonality(text: str) -> Tonality:
    """Tonality of one answer (see the module docstring for the rules)."""
    return tonality_of_tokens(tokens(text))


def tonality_of_tokens(toks: list[str]) -> Tonality:
    """Tonality from tokens (:func:`atout.engine.text.french.tokens`, breaks included).

    Only the tokens that matter (evaluative words, negators, expression starts, clause breaks) are
    visited; a negator flips the evaluative words among the next ``_NEGATION_SPAN`` tokens.
    """
    infos = list(map(_info.__getitem__, toks))
    hits = [i for i, info in enumerate(infos) if info[5]]
    pos = neg = 0
    negated_until = -1
    skip_until = -1
    for i in hits:
        if i < skip_until:
            continue
        bare, polarity, is_negator, may_start, is_break, _ = infos[i]
        if is_break:
            negated_until = -1
            continue
        expression = None
        if may_start:
            for expr, expr_polarity in _EXPRESSIONS_BY_FIRST[bare]:
                size = len(expr)
                if tuple(x[0] for x in infos[i:i + size]) == expr:
                    expression, polarity, skip_until = expr, expr_polarity, i + size
                    break
        if expression is None and is_negator:
            negated_until = i + _NEGATION_SPAN
            continue
        if expression is not None and any(word in NEGATORS for word in expression):
            # An expression holding its own negation ("pas normal") is not flipped again.
            negated_until = -1
        elif polarity and i <= negated_until:
            polarity = -polarity
        if polarity > 0:
            pos += 1
        elif polarity < 0:
            neg += 1
    return Tonality(classify(pos, neg), pos, neg)


def classify(positive: int, negative: int) -> str:
    """Label from counts of positive and negative hits (a 2:1 majority decides, else mixed)."""
    if positive == 0 and negative == 0:
        return "neutral"
    if positive >= 2 * negative:
        return "positive"
    if negative >= 2 * positive:
        return "negative"
    return "mixed"


def summarise(labels: Iterable[str]) -> dict:
    """Share of each label among answers, and the dominant one (``mixed`` when positive and
    negative answers are within 10 points of each other and together outweigh neutral ones)."""
    labels = list(labels)
    n = len(labels)
    shares = {lab: (sum(1 for x in labels if x == lab) / n if n else 0.0) for lab in LABELS}
    if not n:
        return {"n": 0, "shares": shares, "dominant": "neutral"}
    pos, neg = shares["positive"], shares["negative"]
    if pos + neg + shares["mixed"] < shares["neutral"]:
        dominant = "neutral"
    elif abs(pos - neg) <= 0.10:
        dominant = "mixed"
    else:
        dominant = "positive" if pos > neg else "negative"
    return {"n": n, "shares": shares, "dominant": dominant}
