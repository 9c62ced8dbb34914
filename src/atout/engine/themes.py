"""French open answers → themes a human can audit: labels, sizes, quotes, spread, tonality, agreement.

Pipeline (details and measured figures in ``docs/methods/themes.md``):

1. **Terms.** Each answer is cut into clauses and words; each word becomes an accent-free lemma key
   (simplemma), stop words and generic words dropped, rare unknown keys mapped onto a frequent key
   one or two letters away (typos), plus key phrases (``vote blanc``, ``taxe d'habitation``) —
   see :mod:`atout.engine.text.french`.
2. **Weights.** TF-IDF with sublinear term frequency, rows L2-normalised; terms used by fewer than
   ``min_df`` answers or by more than half of them are dropped.
3. **Themes.** Non-negative matrix factorisation ``X ≈ W H`` (scikit-learn, NNDSVDA start, seeded):
   row ``t`` of ``H`` gives theme ``t``'s terms, ``W[i, t]`` the strength of theme ``t`` in
   answer ``i``. Rows of ``H`` are scaled to unit length so strengths compare across themes.
4. **Several themes per answer.** Answer ``i`` carries theme ``t`` when ``W[i, t]`` is at least
   ``min_strength`` and at least ``relative`` times its strongest theme; themes are listed
   strongest first. An answer with no known term (``oui``, ``100 %``) carries none.
5. **Number of themes.** Unless given, ``k`` is the largest value in ``k_range`` whose themes'
   mean NPMI coherence (top 10 lemmas) is within 0.01 of the best and whose diversity is at least
   0.9, fitted on a seeded sample of at most ``selection_sample`` answers (see :func:`choose_k`).
   Beyond ``fit_sample`` answers the final themes are learnt on a seeded sample and every answer's
   strengths solved with them fixed.
6. **Readable labels**: the theme's strongest key phrase (when close to its top term) followed by
   its strongest single lemmas, shown with accents; terms are ranked by frequency × exclusivity
   (:func:`exclusive_weights`) so themes do not share their top terms.

The result is a plain :class:`ThemeResult`; human edits (:func:`rename_theme`,
:func:`merge_themes`, :func:`split_theme`, :func:`move_answers`) return a new result and log the
edit in ``history``; :func:`agreement` gives Cohen's kappa between automatic and human coding.
"""

from __future__ import annotations

import math
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.decomposition import NMF
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import cohen_kappa_score
from threadpoolctl import threadpool_limits

from .text.french import BREAK, LINK, FrenchAnalyzer, learn_phrases, terms_of, tokens
from .text.french_stop_words import STOP_WORDS as FRENCH_STOP_WORDS
from .text.tonality import summarise, tonality_of_tokens

Progress = Callable[[int, int | None], None]

TOP_TERMS = 10  # terms per theme used for labels and quality measures


@dataclass
class Theme:
    """One theme: ``terms`` are readable lemmas/phrases, strongest first; ``size`` counts answers."""

    id: int
    label: str
    terms: list[str]
    size: int
    quotes: list[str]
    quote_ids: list[str]
    tonality: dict
    origin: str = "nmf"

    def as_dict(self) -> dict:
        return {
            "id": self.id, "label": self.label, "terms": self.terms, "size": self.size,
            "quotes": self.quotes, "quote_ids": self.quote_ids, "tonality": self.tonality, "origin": self.origin,
        }


@dataclass
class Corpus:
    """The analysed answers: TF-IDF matrix ``X`` (answers × terms), term keys and readable names."""

    X: sparse.csr_matrix
    keys: list[str]
    names: list[str]
    analyzer: FrenchAnalyzer
    vectorizer: TfidfVectorizer
    tonality: list[str] = field(default_factory=list)  # label of each answer, in order

    @property
    def unigram_mask(self) -> np.ndarray:
        return np.array([" " not in k for k in self.keys])


@dataclass
class ThemeResult:
    """Themes of a set of answers, and for each answer its themes.

    ``strength`` is an (answers × themes) array, 0 where an answer does not carry a theme; column
    ``j`` belongs to ``themes[j]``. ``tonality`` holds each answer's label. ``k_scores`` records the
    criterion for each ``k`` tried (empty when ``k`` was given).
    """

    answer_ids: list[str]
    texts: list[str]
    themes: list[Theme]
    strength: np.ndarray
    tonality: list[str]
    corpus: Corpus
    k: int
    seed: int
    k_scores: list[dict] = field(default_factory=list)
    parameters: dict = field(default_factory=dict)
    history: list[dict] = field(default_factory=list)
    term_weights: np.ndarray | None = None  # (themes × terms), unit rows
    model: NMF | None = None

    @property
    def assignments(self) -> dict[str, list[int]]:
        """Answer id → theme ids, strongest first."""
        out = {}
        theme_ids = np.array([t.id for t in self.themes])
        for i, aid in enumerate(self.answer_ids):
            row = self.strength[i]
            nz = np.flatnonzero(row > 0)
            out[aid] = [int(theme_ids[j]) for j in nz[np.argsort(-row[nz], kind="stable")]]
        return out

    def theme(self, theme_id: int) -> Theme:
        for t in self.themes:
            if t.id == theme_id:
                return t
        raise KeyError(f"no theme {theme_id}")

    def column(self, theme_id: int) -> int:
        for j, t in enumerate(self.themes):
            if t.id == theme_id:
                return j
        raise KeyError(f"no theme {theme_id}")

    def members(self, theme_id: int) -> list[str]:
        """Ids of the answers carrying a theme, strongest first."""
        col = self.strength[:, self.column(theme_id)]
        nz = np.flatnonzero(col > 0)
        return [self.answer_ids[i] for i in nz[np.argsort(-col[nz], kind="stable")]]

    def as_dict(self) -> dict:
        """The CLI contract: ``{"themes": [...], "answers": {id: [theme ids]}}`` plus method details."""
        return {
            "themes": [
                {"id": t.id, "label": t.label, "terms": t.terms, "size": t.size, "quotes": t.quotes,
                 "tonality": t.tonality["dominant"]}
                for t in self.themes
            ],
            "answers": self.assignments,
            "k": self.k,
            "seed": self.seed,
            "k_scores": self.k_scores,
            "parameters": self.parameters,
        }


# --------------------------------------------------------------------------- corpus


def _identity(doc):
    return doc


def build_corpus(
    texts: Sequence[str],
    min_df: int | None = None,
    max_df: float = 0.5,
    max_features: int = 20_000,
    phrase_sample: int = 20_000,
    progress: Progress | None = None,
) -> Corpus:
    """Analyse answers into a TF-IDF matrix of lemma keys and key phrases, and their tonality.

    ``min_df`` defaults to 2 answers, rising with corpus size (1 per 5,000 answers) so rare typos
    and one-off phrases of big corpora do not swamp the vocabulary.
    """
    n = len(texts)
    if min_df is None:
        min_df = max(2, n // 5000)
    analyzer = FrenchAnalyzer()
    analysed, tones = [], []
    doc_counts: Counter = Counter()
    step = max(1, n // 50)
    for i, text in enumerate(texts):
        # One tokenisation serves both the terms and the tonality.
        toks = tokens(text or "")
        keys = analyzer.keys_of(toks)
        analysed.append(keys)
        doc_counts.update(set(keys))
        tones.append(tonality_of_tokens(toks).label)
        if progress and i % step == 0:
            progress(i, n)
    for marker in ("", LINK, BREAK):
        doc_counts.pop(marker, None)
    analyzer.fit_typos(doc_counts)
    vectorizer = TfidfVectorizer(
        analyzer=_identity, min_df=min_df, max_df=max_df, max_features=max_features,
        sublinear_tf=True, dtype=np.float32,
    )
    typos = analyzer.typos
    # Key phrases are learnt on a seeded sample of at most `phrase_sample` answers (all of them on
    # smaller corpora), then only those are looked for: 3x faster than counting every word pair.
    if n > phrase_sample:
        rows = np.random.default_rng(0).choice(n, size=phrase_sample, replace=False)
        learn_from = (analysed[i] for i in rows)
    else:
        learn_from = iter(analysed)
    analyzer.phrases = learn_phrases(learn_from, typos, min_df=2)
    try:
        X = vectorizer.fit_transform(terms_of(a, typos, analyzer.phrases) for a in analysed).tocsr()
    except ValueError as exc:  # sklearn's wording ("empty vocabulary", "max_df < min_df") is obscure
        raise ValueError(
            f"the {n} answers share too few words to find themes (a word must be used by at least "
            f"{min_df} answers and by at most {max_df:.0%} of them)"
        ) from exc
    keys = list(vectorizer.get_feature_names_out())
    names = [analyzer.display_phrase(k) if " " in k else analyzer.display(k) for k in keys]
    return Corpus(X=X, keys=keys, names=names, analyzer=analyzer, vectorizer=vectorizer, tonality=tones)


def transform_texts(corpus: Corpus, texts: Sequence[str]) -> sparse.csr_matrix:
    """TF-IDF rows of new answers in an existing corpus's vocabulary."""
    a = corpus.analyzer
    return corpus.vectorizer.transform(terms_of(a.analyse(t or ""), a.typos, a.phrases) for t in texts).tocsr()


# --------------------------------------------------------------------------- quality


def exclusive_weights(weights: np.ndarray, power: float = 0.5) -> np.ndarray:
    """Term weights favouring terms a theme does not share: ``w × (w / Σ_themes w) ** power``.

    A term strong in two themes ranks lower in both, so themes' top terms overlap less (the idea
    of FREX in structural topic models: frequent *and* exclusive). Rows: themes; columns: terms.
    """
    total = weights.sum(axis=0, keepdims=True)
    share = np.divide(weights, total, out=np.zeros_like(weights), where=total > 0)
    return weights * share**power


def top_unigram_keys(weights: np.ndarray, corpus: Corpus, n: int = TOP_TERMS, exclusive: bool = True) -> list[list[str]]:
    """Top ``n`` single-lemma keys of each row of a (themes × terms) weight matrix
    (ranked by :func:`exclusive_weights` unless ``exclusive`` is False)."""
    mask = corpus.unigram_mask
    out = []
    if exclusive and len(weights) > 1:
        weights = exclusive_weights(weights)
    for row in weights:
        order = np.argsort(-row, kind="stable")
        out.append([corpus.keys[j] for j in order if mask[j] and row[j] > 0][:n])
    return out


def binary_key_matrix(corpus: Corpus) -> tuple[sparse.csc_matrix, dict[str, int]]:
    """Answers × single keys presence matrix (the reference corpus of the coherence measure)."""
    mask = corpus.unigram_mask
    cols = np.flatnonzero(mask)
    B = (corpus.X[:, cols] > 0).astype(np.float32).tocsc()
    return B, {corpus.keys[j]: i for i, j in enumerate(cols)}


def npmi_coherence(topics: Sequence[Sequence[str]], B: sparse.spmatrix, index: Mapping[str, int]) -> list[float]:
    """Mean normalised pointwise mutual information of each topic's term pairs (−1 … 1).

    ``B`` is an answers × terms 0/1 matrix and ``index`` maps a term to its column; probabilities
    are shares of answers. A pair never seen together scores −1; terms absent from ``index`` are
    skipped. Aletras & Stevenson (2013), document co-occurrence variant.
    """
    n = B.shape[0]
    scores = []
    for terms in topics:
        cols = [index[t] for t in terms if t in index]
        if len(cols) < 2:
            scores.append(float("nan"))
            continue
        sub = B[:, cols]
        co = (sub.T @ sub).toarray() / n
        p = np.diag(co).copy()
        vals = []
        for a in range(len(cols)):
            for b in range(a + 1, len(cols)):
                pab = co[a, b]
                if pab <= 0:
                    vals.append(-1.0)
                elif pab >= 1:
                    vals.append(1.0)
                else:
                    vals.append(math.log(pab / (p[a] * p[b])) / -math.log(pab))
        scores.append(float(np.mean(vals)))
    return scores


def topic_diversity(topics: Sequence[Sequence[str]]) -> float:
    """Share of distinct terms among all topics' top terms (1 = no term shared; Dieng et al. 2020)."""
    words = [w for t in topics for w in t]
    return len(set(words)) / len(words) if words else 0.0


def quality(topics: Sequence[Sequence[str]], corpus: Corpus) -> dict:
    """Mean NPMI coherence and diversity of topics given as lists of single keys, on ``corpus``."""
    B, index = binary_key_matrix(corpus)
    coh = [c for c in npmi_coherence(topics, B, index) if not math.isnan(c)]
    return {"coherence_npmi": float(np.mean(coh)) if coh else float("nan"),
            "diversity": topic_diversity(topics), "k": len(topics)}


# --------------------------------------------------------------------------- themes


def _fit_nmf(X: sparse.spmatrix, k: int, seed: int, max_iter: int = 300,
             fit_sample: int | None = None, tol: float = 1e-4) -> tuple[NMF, np.ndarray, np.ndarray]:
    """NMF with unit-length theme rows: returns (model, W rescaled, H with unit rows).

    With ``fit_sample`` and more rows than that, the themes (``H``) are learnt on a seeded random
    sample of rows and every row's strengths (``W``) are then solved with ``H`` fixed: on 100,000
    answers this is 3x faster and the themes of 20,000 answers are the same themes.
    """
    model = NMF(n_components=k, init="nndsvda", solver="cd", random_state=seed, max_iter=max_iter, tol=tol)
    with warnings.catch_warnings():
        # Stopping at max_iter is a deliberate time bound; the result is still a valid factorisation.
        warnings.simplefilter("ignore", ConvergenceWarning)
        if fit_sample is not None and X.shape[0] > fit_sample:
            rows = np.sort(np.random.default_rng(seed).choice(X.shape[0], size=fit_sample, replace=False))
            model.fit(X[rows])
            W = model.transform(X)
        else:
            W = model.fit_transform(X)
    H = model.components_
    norms = np.linalg.norm(H, axis=1)
    norms[norms == 0] = 1.0
    return model, W * norms, H / norms[:, None]


def choose_k(
    corpus: Corpus,
    k_range: Iterable[int],
    seed: int = 0,
    sample: int = 2000,
    tolerance: float = 0.01,
    min_diversity: float = 0.9,
    progress: Progress | None = None,
) -> tuple[int, list[dict]]:
    """Pick the number of themes by coherence: the most detailed ``k`` that costs no coherence.

    For each ``k`` the themes are fitted on a seeded random sample of at most ``sample`` answers
    and scored by the mean NPMI coherence of their top 10 lemmas on the whole corpus, and by their
    diversity. The chosen ``k`` is the largest one whose coherence is within ``tolerance`` of the
    best and whose diversity is at least ``min_diversity`` (its themes hardly share top terms).
    On small corpora coherence (and NMF stability, which we also tried) peaks at few broad themes
    and stays almost flat a little beyond; taking the largest ``k`` on that plateau gives users the
    finer themes at no measurable loss. Returns the chosen ``k`` and one record per ``k`` tried.
    """
    X = corpus.X
    rng = np.random.default_rng(seed)
    nonempty = np.flatnonzero(X.getnnz(axis=1) > 0)
    if len(nonempty) > sample:
        nonempty = np.sort(rng.choice(nonempty, size=sample, replace=False))
    Xs = X[nonempty]
    # Only the terms the sample uses: same fit, far fewer columns on big corpora.
    used = np.flatnonzero(Xs.getnnz(axis=0) > 0)
    Xs = Xs[:, used]
    B, index = binary_key_matrix(corpus)
    ks = [k for k in k_range if 2 <= k < max(3, Xs.shape[0] // 5)]
    if not ks:
        raise ValueError(f"too few answers with known terms ({Xs.shape[0]}) to try any number of themes")
    records = []
    for done, k in enumerate(ks):
        # A looser tolerance than the final fit: same k chosen on Lille, 40 % faster (measured).
        _, _, H_used = _fit_nmf(Xs, k, seed, max_iter=200, tol=1e-3)
        H = np.zeros((k, X.shape[1]), dtype=H_used.dtype)
        H[:, used] = H_used
        topics = top_unigram_keys(H, corpus)
        coh = [c for c in npmi_coherence(topics, B, index) if not math.isnan(c)]
        records.append({"k": k, "coherence_npmi": float(np.mean(coh)) if coh else -1.0,
                        "diversity": topic_diversity(topics)})
        if progress:
            progress(done + 1, len(ks))
    best = max(r["coherence_npmi"] for r in records)
    eligible = [r for r in records if r["coherence_npmi"] >= best - tolerance and r["diversity"] >= min_diversity]
    if not eligible:  # every k repeats terms: fall back on coherence alone
        eligible = [r for r in records if r["coherence_npmi"] >= best - tolerance]
    chosen = max(r["k"] for r in eligible)
    for r in records:
        r["chosen"] = r["k"] == chosen
    return chosen, records


def _memberships(W: np.ndarray, min_strength: float, relative: float) -> np.ndarray:
    """Strengths kept where a theme is strong enough in an answer (absolute and relative rules)."""
    top = W.max(axis=1, keepdims=True)
    keep = (W >= min_strength) & (W >= relative * top) & (top > 0)
    return np.where(keep, W, 0.0)


def _label(weights: np.ndarray, corpus: Corpus, texts: Sequence[str] = (), n_words: int = 3) -> tuple[str, list[str]]:
    """Readable label and top terms of a theme from its term weights (strongest first).

    Single terms are lemmas; key phrases are shown as most often written in ``texts`` (the
    theme's answers), e.g. "assemblée nationale" rather than the lemmas "assemblée national".
    """
    order = [j for j in np.argsort(-weights, kind="stable") if weights[j] > 0]
    if not order:
        return "", []
    names = {}
    for j in order[:TOP_TERMS]:
        if " " in corpus.keys[j]:
            names[j] = corpus.analyzer.surface_phrase(corpus.keys[j], texts) or corpus.names[j]
    terms = [names.get(j, corpus.names[j]) for j in order[:TOP_TERMS]]
    top = weights[order[0]]
    parts: list[str] = []
    used: set[str] = set()
    # A key phrase leads the label when it weighs at least 40 % of the top term: it reads better
    # ("vote blanc") than its words apart.
    for j in order[:15]:
        if " " in corpus.keys[j] and weights[j] >= 0.4 * top:
            parts.append(names.get(j) or corpus.analyzer.surface_phrase(corpus.keys[j], texts) or corpus.names[j])
            used.update(corpus.keys[j].split(" "))
            break
    for j in order:
        if len(parts) >= n_words:
            break
        key = corpus.keys[j]
        if " " in key or key in used:
            continue
        parts.append(corpus.names[j])
        used.add(key)
    return ", ".join(parts), terms


def _quotes(result_strength: np.ndarray, col: int, texts: Sequence[str], ids: Sequence[str],
            n: int = 3) -> tuple[list[str], list[str]]:
    """Representative quotes: the answers where the theme is strongest and dominant, of readable
    length (30–400 characters when possible), no repeated text."""
    s = result_strength[:, col]
    members = np.flatnonzero(s > 0)
    if not len(members):
        return [], []
    share = s[members] / result_strength[members].sum(axis=1)
    lengths = np.array([len(texts[i]) for i in members])
    readable = (lengths >= 30) & (lengths <= 400)
    score = s[members] * share + readable  # readable answers first, then by strength × dominance
    quotes, qids, seen = [], [], set()
    for idx in np.argsort(-score, kind="stable"):
        i = members[idx]
        text = " ".join(texts[i].split())
        if text.lower() in seen:
            continue
        seen.add(text.lower())
        quotes.append(text)
        qids.append(ids[i])
        if len(quotes) == n:
            break
    return quotes, qids


def _make_theme(theme_id: int, col: int, weights: np.ndarray, strength: np.ndarray, corpus: Corpus,
                texts: Sequence[str], ids: Sequence[str], tones: Sequence[str], origin: str,
                label: str | None = None) -> Theme:
    members = np.flatnonzero(strength[:, col] > 0)
    strongest = members[np.argsort(-strength[members, col], kind="stable")]
    auto_label, terms = _label(weights, corpus, [texts[i] for i in strongest[:500]])
    quotes, qids = _quotes(strength, col, texts, ids)
    return Theme(
        id=theme_id, label=label or auto_label, terms=terms, size=len(members), quotes=quotes, quote_ids=qids,
        tonality=summarise(tones[i] for i in members), origin=origin,
    )


def discover_themes(
    texts: Sequence[str],
    ids: Sequence[str] | None = None,
    k: int | None = None,
    k_range: Iterable[int] = range(4, 16),
    seed: int = 0,
    min_strength: float = 0.02,
    relative: float = 0.4,
    min_df: int | None = None,
    selection_sample: int = 2000,
    fit_sample: int = 20_000,
    progress: Progress | None = None,
) -> ThemeResult:
    """Themes of French answers (see the module docstring for the method).

    Inputs: ``texts`` (answers, any length; empty allowed), ``ids`` (defaults to ``"1"``, ``"2"``…),
    ``k`` (number of themes; chosen over ``k_range`` when None), ``seed`` (same seed, same result).
    ``progress(done, total)`` is called with a 0–100 scale across the stages.
    Output: a :class:`ThemeResult`; theme ids are 1…k ordered by decreasing size.
    """
    texts = [t if isinstance(t, str) else "" for t in texts]
    ids = [str(i) for i in (ids if ids is not None else range(1, len(texts) + 1))]
    if len(ids) != len(texts):
        raise ValueError(f"{len(ids)} ids for {len(texts)} texts")
    if len(set(ids)) != len(ids):
        raise ValueError("answer ids must be unique")

    # One BLAS thread: on a shared 2-core machine, threaded BLAS in NMF's SVD start was 5x slower.
    def stage(lo: int, hi: int) -> Progress | None:
        if progress is None:
            return None
        return lambda done, total=None: progress(lo + int((hi - lo) * done / max(total or 1, 1)), 100)

    with threadpool_limits(limits=1, user_api="blas"):
        return _discover(texts, ids, k, k_range, seed, min_strength, relative, min_df, selection_sample,
                         fit_sample, progress, stage)


def _discover(texts, ids, k, k_range, seed, min_strength, relative, min_df, selection_sample, fit_sample,
              progress, stage):
    corpus = build_corpus(texts, min_df=min_df, progress=stage(0, 40))
    if corpus.X.shape[1] < 2:
        raise ValueError("the answers share too few words to find themes")
    k_scores: list[dict] = []
    if k is None:
        k, k_scores = choose_k(corpus, k_range, seed=seed, sample=selection_sample, progress=stage(40, 70))
    if k < 1:
        raise ValueError("the number of themes must be at least 1")
    model, W, H = _fit_nmf(corpus.X, k, seed, fit_sample=fit_sample)
    if progress:
        progress(85, 100)
    strength = _memberships(W, min_strength, relative)
    tones = corpus.tonality
    # Theme ids follow decreasing size so "theme 1" is the most common one.
    sizes = (strength > 0).sum(axis=0)
    order = np.argsort(-sizes, kind="stable")
    strength, H = strength[:, order], H[order]
    ranked = exclusive_weights(H) if k > 1 else H
    themes = [
        _make_theme(j + 1, j, ranked[j], strength, corpus, texts, ids, tones, "nmf") for j in range(k)
    ]
    if progress:
        progress(100, 100)
    return ThemeResult(
        answer_ids=ids, texts=texts, themes=themes, strength=strength, tonality=tones, corpus=corpus,
        k=k, seed=seed, k_scores=k_scores, term_weights=H, model=model,
        parameters={"min_strength": min_strength, "relative": relative, "min_df": min_df,
                    "k_range": [r["k"] for r in k_scores], "selection_sample": selection_sample,
                    "fit_sample": fit_sample,
                    "terms": int(corpus.X.shape[1])},
    )


def assign(result: ThemeResult, texts: Sequence[str]) -> list[list[int]]:
    """Theme ids (strongest first) of new answers under a result's themes, same membership rules.

    Each answer's strengths are the non-negative least-squares fit of its TF-IDF row on the
    current themes' unit term weights — what the factorisation gives with the themes fixed — so
    it also holds after themes were merged, split or recoded.
    """
    X = transform_texts(result.corpus, texts)
    W = _nnls_rows(X, result.term_weights)
    strength = _memberships(W, result.parameters.get("min_strength", 0.02), result.parameters.get("relative", 0.4))
    ids = np.array([t.id for t in result.themes])
    out = []
    for row in strength:
        nz = np.flatnonzero(row > 0)
        out.append([int(ids[j]) for j in nz[np.argsort(-row[nz], kind="stable")]])
    return out


def _nnls_rows(X: sparse.spmatrix, H: np.ndarray) -> np.ndarray:
    """Non-negative strengths of each row of ``X`` on the theme rows ``H`` (unit rows)."""
    from scipy.optimize import nnls

    Hd = H.T.astype(np.float64)
    out = np.zeros((X.shape[0], H.shape[0]))
    for i in range(X.shape[0]):
        row = X[i].toarray().ravel().astype(np.float64)
        if row.any():
            out[i], _ = nnls(Hd, row)
    return out


# --------------------------------------------------------------------------- human in the loop


def _with_history(result: ThemeResult, action: str, **details) -> list[dict]:
    return result.history + [{"action": action, **details}]


def _recompute(result: ThemeResult, strength: np.ndarray, weights: np.ndarray, themes_spec: list[tuple[int, str, str | None]],
               history: list[dict]) -> ThemeResult:
    """A new result with themes rebuilt (sizes, quotes, tonality) from strengths and term weights.

    ``themes_spec`` lists (id, origin, label or None) per column.
    """
    ranked = exclusive_weights(weights) if len(weights) > 1 else weights
    themes = [
        _make_theme(tid, j, ranked[j], strength, result.corpus, result.texts, result.answer_ids,
                    result.tonality, origin, label)
        for j, (tid, origin, label) in enumerate(themes_spec)
    ]
    return replace(result, themes=themes, strength=strength, term_weights=weights, history=history)


def _members_weights(result: ThemeResult, rows: np.ndarray) -> np.ndarray:
    """Term weights of a theme defined by its answers: how much more its answers use each term
    than the other answers do (mean TF-IDF inside minus outside, negatives dropped), unit length."""
    X = result.corpus.X
    inside = np.zeros(X.shape[0], dtype=bool)
    inside[rows] = True
    mean_in = np.asarray(X[inside].mean(axis=0)).ravel() if inside.any() else np.zeros(X.shape[1])
    mean_out = np.asarray(X[~inside].mean(axis=0)).ravel() if (~inside).any() else np.zeros(X.shape[1])
    w = np.clip(mean_in - mean_out, 0, None)
    norm = np.linalg.norm(w)
    return w / norm if norm else w


def _spec(result: ThemeResult) -> list[tuple[int, str, str | None]]:
    return [(t.id, t.origin, t.label) for t in result.themes]


def rename_theme(result: ThemeResult, theme_id: int, label: str) -> ThemeResult:
    """A copy of ``result`` where a theme carries a human label."""
    label = label.strip()
    if not label:
        raise ValueError("a theme label cannot be empty")
    j = result.column(theme_id)
    themes = list(result.themes)
    themes[j] = replace(themes[j], label=label, origin=themes[j].origin)
    return replace(result, themes=themes,
                   history=_with_history(result, "rename", theme=theme_id, old=result.themes[j].label, new=label))


def merge_themes(result: ThemeResult, theme_ids: Sequence[int], label: str | None = None) -> ThemeResult:
    """Merge themes into the first one given: an answer's strength is its strongest of them;
    term weights are the normalised sum of theirs; a merged label is rebuilt unless given."""
    if len(set(theme_ids)) < 2:
        raise ValueError("merging needs at least two distinct themes")
    cols = [result.column(t) for t in theme_ids]
    keep, drop = cols[0], cols[1:]
    strength = result.strength.copy()
    strength[:, keep] = strength[:, cols].max(axis=1)
    weights = result.term_weights.copy()
    merged = weights[cols].sum(axis=0)
    weights[keep] = merged / (np.linalg.norm(merged) or 1.0)
    remaining = [j for j in range(len(result.themes)) if j not in drop]
    spec = _spec(result)
    spec[keep] = (spec[keep][0], "merge", label)
    return _recompute(result, strength[:, remaining], weights[remaining], [spec[j] for j in remaining],
                      _with_history(result, "merge", themes=list(theme_ids), into=theme_ids[0]))


def split_theme(result: ThemeResult, theme_id: int, k: int = 2, seed: int | None = None) -> ThemeResult:
    """Split a theme by re-running the factorisation on its own answers (same vocabulary).

    The first part keeps the theme's id, the others get new ids after the largest one.
    """
    col = result.column(theme_id)
    rows = np.flatnonzero(result.strength[:, col] > 0)
    if len(rows) < 2 * k:
        raise ValueError(f"theme {theme_id} has {len(rows)} answers: too few to split in {k}")
    seed = result.seed if seed is None else seed
    _, W, H = _fit_nmf(result.corpus.X[rows], k, seed)
    sub = _memberships(W, result.parameters.get("min_strength", 0.02), result.parameters.get("relative", 0.4))
    # Every answer of the split theme stays in at least one part: its strongest.
    empty = sub.max(axis=1) == 0
    if empty.any():
        best = W[empty].argmax(axis=1)
        sub[np.flatnonzero(empty), best] = np.maximum(W[empty, best], 1e-6)
    sub *= result.strength[rows, col].max() / (sub.max() or 1.0)
    n = len(result.answer_ids)
    new_cols = np.zeros((n, k))
    new_cols[rows] = sub
    strength = np.hstack([np.delete(result.strength, col, axis=1), new_cols])
    weights = np.vstack([np.delete(result.term_weights, col, axis=0), H])
    next_id = max(t.id for t in result.themes) + 1
    spec = [s for j, s in enumerate(_spec(result)) if j != col]
    spec += [(theme_id, "split", None)] + [(next_id + i, "split", None) for i in range(k - 1)]
    return _recompute(result, strength, weights, spec,
                      _with_history(result, "split", theme=theme_id, k=k, seed=seed,
                                    into=[theme_id] + list(range(next_id, next_id + k - 1))))


def move_answers(result: ThemeResult, answer_ids: Iterable[str], to_theme: int | None,
                 from_theme: int | None = None) -> ThemeResult:
    """Recode answers by hand: take them out of ``from_theme`` (or of every theme when None) and
    put them in ``to_theme`` as their strongest theme (None: only remove). Term weights of the
    themes touched are recomputed from their members, so labels follow the recoding."""
    index = {a: i for i, a in enumerate(result.answer_ids)}
    rows = []
    for aid in answer_ids:
        if str(aid) not in index:
            raise KeyError(f"no answer {aid!r}")
        rows.append(index[str(aid)])
    strength = result.strength.copy()
    touched = set()
    if from_theme is None:
        touched.update(np.flatnonzero(strength[rows].sum(axis=0) > 0).tolist())
        strength[rows] = 0.0
    else:
        c = result.column(from_theme)
        strength[rows, c] = 0.0
        touched.add(c)
    if to_theme is not None:
        c = result.column(to_theme)
        strength[rows, c] = strength[rows].max(axis=1) + 1e-3 if strength.size else 1.0
        strength[rows, c] = np.maximum(strength[rows, c], 1e-3)
        touched.add(c)
    weights = result.term_weights.copy()
    spec = _spec(result)
    for c in touched:
        members = np.flatnonzero(strength[:, c] > 0)
        if len(members):
            weights[c] = _members_weights(result, members)
        spec[c] = (spec[c][0], "edited", result.themes[c].label if result.themes[c].origin != "nmf" else None)
    return _recompute(result, strength, weights, spec,
                      _with_history(result, "move", answers=[str(a) for a in answer_ids], to=to_theme,
                                    from_=from_theme))


# --------------------------------------------------------------------------- spread, agreement


def spread(result: ThemeResult, segments: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    """Theme sizes by segment: one row per (theme, segment column, value).

    ``segments`` maps a column name (e.g. ``"age"``, ``"sub_territory"``) to one value per answer,
    in answer order. Columns of the frame: ``theme``, ``label``, ``segment``, ``value``,
    ``answers`` (answers in that segment value), ``count`` (those carrying the theme) and
    ``share`` (count / answers, 0…1).
    """
    n = len(result.answer_ids)
    rows = []
    member = result.strength > 0
    for name, values in segments.items():
        values = ["" if v is None else str(v) for v in values]
        if len(values) != n:
            raise ValueError(f"segment {name!r} has {len(values)} values for {n} answers")
        values_arr = np.array(values, dtype=object)
        for value in sorted(set(values)):
            mask = values_arr == value
            total = int(mask.sum())
            counts = member[mask].sum(axis=0)
            for j, t in enumerate(result.themes):
                rows.append({"theme": t.id, "label": t.label, "segment": name, "value": value,
                             "answers": total, "count": int(counts[j]),
                             "share": float(counts[j] / total) if total else 0.0})
    return pd.DataFrame(rows, columns=["theme", "label", "segment", "value", "answers", "count", "share"])


def agreement(
    automatic: Mapping[str, Sequence[int]],
    human: Mapping[str, Sequence[int]],
    codes: Sequence[int] | None = None,
) -> dict:
    """Cohen's kappa between automatic and human coding, per code and overall.

    Both inputs map an answer id to the codes (theme ids) it carries; only answers coded by the
    human count. Each code becomes a yes/no indicator per answer; ``per_code[c]`` is the kappa of
    that indicator (None when both coders give one constant answer: kappa is undefined),
    ``overall`` the kappa of all (answer, code) indicators pooled, ``mean`` the average of the
    defined per-code kappas. ``agreement_rate`` is the raw share of matching indicators.
    """
    answers = [a for a in human if a in automatic]
    if not answers:
        raise ValueError("no answer is coded by both")
    codes = sorted(set(codes) if codes is not None else {c for a in answers for c in list(automatic[a]) + list(human[a])})
    auto_m = np.array([[c in set(automatic[a]) for c in codes] for a in answers], dtype=int)
    human_m = np.array([[c in set(human[a]) for c in codes] for a in answers], dtype=int)
    per_code: dict[int, float | None] = {}
    for j, c in enumerate(codes):
        x, y = auto_m[:, j], human_m[:, j]
        if len(set(x)) == 1 and len(set(y)) == 1:
            per_code[c] = None
        else:
            per_code[c] = float(cohen_kappa_score(x, y))
    defined = [v for v in per_code.values() if v is not None]
    flat_a, flat_h = auto_m.ravel(), human_m.ravel()
    overall = None if len(set(flat_a)) == 1 and len(set(flat_h)) == 1 else float(cohen_kappa_score(flat_a, flat_h))
    return {
        "answers": len(answers),
        "codes": codes,
        "per_code": per_code,
        "overall": overall,
        "mean": float(np.mean(defined)) if defined else None,
        "agreement_rate": float((flat_a == flat_h).mean()),
    }


def kappa_reading(kappa: float | None) -> str:
    """Landis & Koch (1977) reading of a kappa value."""
    if kappa is None:
        return "undefined"
    for bound, text in ((0.0, "poor"), (0.2, "slight"), (0.4, "fair"), (0.6, "moderate"), (0.8, "substantial")):
        if kappa <= bound:
            return text
    return "almost perfect"


# --------------------------------------------------------------------------- baseline


@dataclass
class BaselineResult:
    """TF-IDF + NMF on raw words, as CONSUL ships it: top words per topic and answer strengths."""

    topics: list[list[str]]
    W: np.ndarray
    vocabulary: list[str]


def baseline_nmf(texts: Sequence[str], k: int, seed: int = 0, stop_words: Iterable[str] | None = None) -> BaselineResult:
    """The baseline: scikit-learn ``TfidfVectorizer`` on lower-case words (default token pattern,
    spaCy's French stop words removed, min_df 2, max_df 0.5) and ``NMF(k)`` with the same start
    and seed. No lemmas, no phrases, no typo handling."""
    stops = sorted(set(stop_words) if stop_words is not None else FRENCH_STOP_WORDS)
    # spaCy's list holds elided forms ("qu'"): the default tokenizer cannot produce them.
    vec = TfidfVectorizer(lowercase=True, stop_words=[w for w in stops if "'" not in w and "’" not in w],
                          min_df=2, max_df=0.5, dtype=np.float32)
    with threadpool_limits(limits=1, user_api="blas"), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        # "dix-neuf" in the list yields "neuf" once tokenised: harmless, and the same for every run.
        warnings.filterwarnings("ignore", message="Your stop_words may be inconsistent")
        X = vec.fit_transform([t or "" for t in texts])
        model = NMF(n_components=k, init="nndsvda", solver="cd", random_state=seed, max_iter=300, tol=1e-4)
        W = model.fit_transform(X)
    vocab = list(vec.get_feature_names_out())
    topics = [[vocab[j] for j in np.argsort(-row, kind="stable")[:TOP_TERMS * 3] if row[j] > 0]
              for row in model.components_]
    return BaselineResult(topics=topics, W=W, vocabulary=vocab)


def words_to_keys(words: Sequence[str], corpus: Corpus, n: int = TOP_TERMS) -> list[str]:
    """Map surface words to this corpus's single keys (lemma, accents removed), first ``n``
    distinct ones: how baseline words are put on the same footing as our terms."""
    out: list[str] = []
    for word in words:
        key = corpus.analyzer.key(word)
        key = corpus.analyzer.typos.get(key, key)
        if len(key) > 1 and key not in out:
            out.append(key)
        if len(out) == n:
            break
    return out


def compare_with_baseline(result: ThemeResult, baseline: BaselineResult | None = None) -> dict:
    """Coherence (NPMI) and diversity of our themes and of the NMF baseline with the same ``k``.

    Both are measured the same way: top 10 distinct single lemma keys per topic (baseline words
    mapped to their lemma key), NPMI on answer co-occurrence in this corpus.
    """
    baseline = baseline or baseline_nmf(result.texts, result.k, result.seed)
    ours = top_unigram_keys(result.term_weights, result.corpus)
    theirs = [words_to_keys(t, result.corpus) for t in baseline.topics]
    return {"themes": quality(ours, result.corpus), "baseline": quality(theirs, result.corpus),
            "themes_top_terms": ours, "baseline_top_terms": theirs}
