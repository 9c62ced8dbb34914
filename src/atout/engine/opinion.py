"""Opinion mapping in the manner of pol.is: groups, representative and consensus statements.

This follows the published pol.is math (compdemocracy/polis, ``math/src/polismath/math``):

1. the vote matrix (participants × statements; agree = +1, disagree = −1, pass = 0, missing = not
   voted) loses its moderated-out statements;
2. participants are *in the conversation* once they voted on ``min(7, n_statements)`` statements; if
   that leaves fewer than 15 people, the most active ones are added until there are 15;
3. a PCA to two components of the matrix with missing votes filled by the statement's mean vote; each
   participant's projection only uses the votes they cast and is scaled by
   ``sqrt(n_statements / n_voted)`` so that people who voted little are not all piled in the centre
   (as in pol.is, whose moderated-out columns are zeroed rather than dropped, moderated-out
   statements still count in that ratio, as statements and as votes of everybody);
4. k-means puts the projected participants in the conversation into up to 100 *base clusters*; a
   weighted k-means groups the base clusters into 2…5 *opinion groups*, k chosen by the silhouette of
   the base-cluster centres;
5. per group and statement: agree/disagree probabilities with a Beta(1, 1) prior
   (``(n_agree + 1) / (n_votes + 2)``), a one-proportion test against ½, the ratio to the rest of the
   participants (*repness*) and a two-proportion test against them; a statement is representative when
   both tests pass at 90 % one-sided (z > 1.2816); pol.is's selection rules pick up to five per group;
6. consensus: statements most agreed (or disagreed) with by everybody (p > ½ and significant), and
   the group-aware consensus, the product over groups of ``(n_agree + 1) / (n_votes + 2)``.

Votes here use the export's sign convention (agree = +1). Pol.is computes internally with agree = −1;
the sign of a principal component is arbitrary and every statistic is symmetric, so groups and
statistics are the same.

Everything is vectorised over a sparse matrix and deterministic given ``random_state``. Pure numpy,
scipy and scikit-learn (threadpoolctl, a scikit-learn dependency, caps threads): no Django here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.sparse.linalg import svds
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from threadpoolctl import threadpool_limits

AGREE, PASS, DISAGREE = 1, 0, -1
#: one-sided 90 % critical value of the standard normal, as in pol.is ``z-sig-90?``
Z_90 = 1.2816


# ---------------------------------------------------------------------------------------------
# The vote matrix
# ---------------------------------------------------------------------------------------------


def _int_array(values) -> np.ndarray:
    return np.asarray(values if isinstance(values, np.ndarray) else list(values), dtype=np.int64)


def _positions(ids: np.ndarray, values: np.ndarray, what: str) -> np.ndarray:
    """Index of each value in the sorted ``ids``; ValueError naming the first unknown id."""
    positions = np.searchsorted(ids, values)
    clipped = np.minimum(positions, max(len(ids) - 1, 0))
    unknown = (positions >= len(ids)) | (ids[clipped] != values) if len(ids) else np.ones(len(values), bool)
    if unknown.any():
        raise ValueError(f"a vote names {what} {values[unknown.argmax()]}, which is not in the {what} ids")
    return positions


@dataclass(frozen=True)
class VoteMatrix:
    """Who voted what on which statement: a sparse participants × statements matrix.

    ``votes`` is a CSR matrix of shape (n_participants, n_statements), dtype int8. A *stored* entry is
    a vote: +1 agree, −1 disagree, 0 pass (a pass is an explicitly stored zero); an absent entry
    means the participant did not vote on that statement. Never call ``eliminate_zeros`` on it.
    ``participant_ids`` (n_participants,) and ``statement_ids`` (n_statements,) are int64 ids in
    ascending order.
    """

    votes: sparse.csr_matrix
    participant_ids: np.ndarray
    statement_ids: np.ndarray

    @classmethod
    def from_votes(
        cls,
        participant: Iterable[int],
        statement: Iterable[int],
        vote: Iterable[int],
        *,
        timestamp: Iterable[float] | None = None,
        participant_ids: Iterable[int] | None = None,
        statement_ids: Iterable[int] | None = None,
    ) -> VoteMatrix:
        """Build the matrix from vote events, keeping the latest vote per participant and statement.

        ``participant``, ``statement``, ``vote`` (and ``timestamp``, any unit) are equally long
        sequences, one item per event. Without timestamps the last event in the given order wins; with
        equal timestamps, the later event in the given order wins. ``participant_ids`` and
        ``statement_ids`` may list more ids than the events use (people or statements without votes).
        Raises ``ValueError`` on a vote outside {−1, 0, 1} or an event naming an id outside the lists.
        """
        p = _int_array(participant)
        s = _int_array(statement)
        v = _int_array(vote)
        if not (len(p) == len(s) == len(v)):
            raise ValueError("participant, statement and vote must have the same length")
        if len(v) and not np.isin(v, (AGREE, PASS, DISAGREE)).all():
            raise ValueError("votes must be 1 (agree), -1 (disagree) or 0 (pass)")
        pids = np.unique(p) if participant_ids is None else np.unique(_int_array(participant_ids))
        sids = np.unique(s) if statement_ids is None else np.unique(_int_array(statement_ids))
        rows = _positions(pids, p, "participant")
        cols = _positions(sids, s, "statement")
        # One int64 key per (row, column) cell; a stable sort keeps file order among equal keys.
        cell = rows * max(len(sids), 1) + cols
        if timestamp is not None:
            t = np.asarray(timestamp if isinstance(timestamp, np.ndarray) else list(timestamp), dtype=np.float64)
            if len(t) != len(p):
                raise ValueError("timestamp must have the same length as the votes")
            order = np.lexsort((t, cell))  # lexsort is stable: equal times keep the given order
        else:
            order = np.argsort(cell, kind="stable")
        cell, v = cell[order], v[order]
        last = np.ones(len(cell), dtype=bool)
        last[:-1] = cell[1:] != cell[:-1]
        cell, v = cell[last], v[last]
        rows, cols = np.divmod(cell, max(len(sids), 1))
        return cls.from_coordinates(rows, cols, v, pids, sids)

    @classmethod
    def from_coordinates(
        cls, rows: np.ndarray, cols: np.ndarray, values: np.ndarray, participant_ids, statement_ids
    ) -> VoteMatrix:
        """Build from unique (row, column, vote) triples, in any order."""
        n_p, n_s = len(participant_ids), len(statement_ids)
        cell = rows.astype(np.int64) * max(n_s, 1) + cols
        if len(cell) > 1 and not (cell[1:] > cell[:-1]).all():  # callers usually pass row-major order
            order = np.argsort(cell, kind="stable")
            rows, cols, values = rows[order], cols[order], values[order]
        indptr = np.zeros(n_p + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=n_p), out=indptr[1:])
        # Built from its arrays so that passes stay stored as explicit zeros.
        matrix = sparse.csr_matrix(
            (values.astype(np.int8), cols.astype(np.int32), indptr), shape=(n_p, n_s)
        )
        return cls(matrix, np.asarray(participant_ids, dtype=np.int64), np.asarray(statement_ids, dtype=np.int64))

    @property
    def shape(self) -> tuple[int, int]:
        return self.votes.shape

    @property
    def n_votes(self) -> int:
        """Number of votes cast (passes included)."""
        return int(self.votes.nnz)

    def entry_rows(self) -> np.ndarray:
        """Row index of every stored vote, aligned with ``votes.data`` and ``votes.indices``."""
        return np.repeat(np.arange(self.shape[0]), np.diff(self.votes.indptr))

    def votes_per_participant(self) -> np.ndarray:
        """(n_participants,) number of votes each participant cast, passes included."""
        return np.diff(self.votes.indptr)

    def select_statements(self, keep: np.ndarray) -> VoteMatrix:
        """The same participants with only the statements where the boolean mask ``keep`` is true."""
        keep = np.asarray(keep, dtype=bool)
        new_index = np.cumsum(keep) - 1
        entry_keep = keep[self.votes.indices]
        rows = self.entry_rows()[entry_keep]
        cols = new_index[self.votes.indices[entry_keep]]
        return VoteMatrix.from_coordinates(
            rows, cols, self.votes.data[entry_keep], self.participant_ids, self.statement_ids[keep]
        )

    def to_dense(self, missing: float = np.nan) -> np.ndarray:
        """(n_participants, n_statements) float array, ``missing`` where nobody voted."""
        dense = np.full(self.shape, missing, dtype=np.float64)
        dense[self.entry_rows(), self.votes.indices] = self.votes.data
        return dense


# ---------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatementStats:
    """Vote counts and tests per group (rows) and statement (columns), each (n_groups, n_statements).

    ``p_*`` are probabilities with a Beta(1, 1) prior, ``*_test`` are z statistics, ``r_*`` are ratios
    of the group's probability to the rest's (pol.is *repness*).
    """

    n_agree: np.ndarray
    n_disagree: np.ndarray
    n_votes: np.ndarray
    p_agree: np.ndarray
    p_disagree: np.ndarray
    p_agree_test: np.ndarray
    p_disagree_test: np.ndarray
    r_agree: np.ndarray
    r_disagree: np.ndarray
    r_agree_test: np.ndarray
    r_disagree_test: np.ndarray


@dataclass(frozen=True)
class RepresentativeStatement:
    """A statement that sets a group apart: ``direction`` is "agree" or "disagree".

    ``p`` is the group's probability of voting that way, ``p_test`` its z against ½, ``repness`` the
    ratio of ``p`` to the rest of the participants' probability and ``z`` the two-proportion z of
    that difference. ``n_success`` of the group's ``n_trials`` voters voted that way.
    ``best_agree`` marks the statement pol.is puts first to show what the group agrees on.
    """

    statement: int
    direction: str
    p: float
    p_test: float
    repness: float
    z: float
    n_success: int
    n_trials: int
    best_agree: bool = False


@dataclass(frozen=True)
class ConsensusStatement:
    """A statement most participants agree (or disagree) with: ``p`` with its z against ½."""

    statement: int
    p: float
    z: float
    n_success: int
    n_trials: int


@dataclass(frozen=True)
class OpinionResult:
    """Everything an opinion map shows.

    Arrays over participants are aligned with ``participant_ids`` (n_participants,); arrays over
    statements with ``statement_ids`` (n_statements,), the statements kept after moderation.
    ``groups`` holds the group label of each participant, −1 for people not in the conversation.
    Groups are numbered 0…k−1 from the largest. ``projections`` (n_participants, 2) are every
    participant's coordinates on the map (unitless PCA space). ``components`` (2, n_statements) and
    ``center`` (n_statements,) define that space; ``statement_projections`` (n_statements, 2) place a
    virtual participant who only agreed with that statement.
    """

    participant_ids: np.ndarray
    statement_ids: np.ndarray
    in_conversation: np.ndarray
    groups: np.ndarray
    projections: np.ndarray
    components: np.ndarray
    center: np.ndarray
    explained_variance: np.ndarray
    statement_projections: np.ndarray
    base_clusters: np.ndarray
    base_centers: np.ndarray
    silhouettes: dict[int, float]
    group_stats: StatementStats
    representative: list[list[RepresentativeStatement]]
    consensus_agree: list[ConsensusStatement]
    consensus_disagree: list[ConsensusStatement]
    group_aware_consensus_agree: np.ndarray
    group_aware_consensus_disagree: np.ndarray
    parameters: dict = field(default_factory=dict)

    @property
    def n_groups(self) -> int:
        return len(self.representative)

    def group_sizes(self) -> np.ndarray:
        """(n_groups,) number of participants in each group."""
        return np.bincount(self.groups[self.groups >= 0], minlength=self.n_groups)

    def group_of(self) -> dict[int, int | None]:
        """Participant id → group label, or None for people not in the conversation."""
        return {
            int(pid): (int(g) if g >= 0 else None)
            for pid, g in zip(self.participant_ids, self.groups, strict=True)
        }


# ---------------------------------------------------------------------------------------------
# Steps
# ---------------------------------------------------------------------------------------------


def in_conversation(
    votes_per_participant: np.ndarray, n_statements: int, *, min_votes: int = 7, top_up: int = 15
) -> np.ndarray:
    """Who counts for the map: (n_participants,) booleans.

    A participant is in when they voted on at least ``min(min_votes, n_statements)`` statements (and
    at least once). When that leaves fewer than ``top_up`` people, the most active of the others who
    voted join until there are ``top_up`` (ties broken by position, as pol.is's stable sort does).
    """
    counts = np.asarray(votes_per_participant)
    inside = counts >= max(1, min(min_votes, n_statements))
    missing = top_up - int(inside.sum())
    if missing > 0:
        candidates = np.flatnonzero(~inside & (counts > 0))
        ranked = candidates[np.argsort(-counts[candidates], kind="stable")]
        inside[ranked[:missing]] = True
    return inside


def centered_votes(matrix: VoteMatrix) -> tuple[sparse.csr_matrix, np.ndarray]:
    """The mean-imputed, centred vote matrix, still sparse, and the statement means.

    Filling a missing vote with the statement's mean and then subtracting that mean gives zero, so
    the centred matrix has the sparsity of the votes: stored entries hold ``vote − mean``.
    Returns (csr float64 (n_participants, n_statements), means (n_statements,)). A statement nobody
    voted on has mean 0.
    """
    votes = matrix.votes
    n_s = matrix.shape[1]
    sums = np.bincount(votes.indices, weights=votes.data, minlength=n_s)
    counts = np.bincount(votes.indices, minlength=n_s)
    means = np.divide(sums, counts, out=np.zeros(n_s), where=counts > 0)
    data = votes.data.astype(np.float64) - means[votes.indices]
    centred = sparse.csr_matrix((data, votes.indices, votes.indptr), shape=votes.shape)
    return centred, means


def principal_components(
    centred: sparse.csr_matrix, n_components: int = 2, random_state: int = 0, *, dense_limit: int = 4_000_000
) -> tuple[np.ndarray, np.ndarray]:
    """Top principal axes of an already centred matrix.

    Returns (components (n_components, n_statements), explained variance (n_components,)), with the
    sign of each component fixed so that its largest loading is positive (the sign of a PCA axis is
    arbitrary; fixing it makes maps reproducible). Matrices of at most ``dense_limit`` cells use a
    dense SVD, larger ones ARPACK (truncated SVD of the sparse matrix) with a seeded start vector.
    """
    n_p, n_s = centred.shape
    k = min(n_components, n_p, n_s)
    if k == 0:
        return np.zeros((n_components, n_s)), np.zeros(n_components)
    if min(n_p, n_s) <= k + 1 or n_p * n_s <= dense_limit:
        _, sing, vt = np.linalg.svd(centred.toarray(), full_matrices=False)
        sing, vt = sing[:k], vt[:k]
    else:
        rng = np.random.RandomState(random_state)
        v0 = rng.uniform(-1.0, 1.0, size=min(n_p, n_s))
        _, sing, vt = svds(centred, k=k, v0=v0, tol=1e-10)
        order = np.argsort(-sing)
        sing, vt = sing[order], vt[order]
    signs = np.sign(vt[np.arange(k), np.abs(vt).argmax(axis=1)])
    signs[signs == 0] = 1.0
    vt = vt * signs[:, None]
    variance = sing**2 / max(n_p - 1, 1)
    if k < n_components:  # degenerate tiny input: pad with null axes
        vt = np.vstack([vt, np.zeros((n_components - k, n_s))])
        variance = np.concatenate([variance, np.zeros(n_components - k)])
    return vt, variance


def sparsity_aware_projection(
    centred: sparse.csr_matrix, components: np.ndarray, n_voted: np.ndarray, n_statements: int
) -> np.ndarray:
    """Project participants using only their own votes, scaled by ``sqrt(n_statements / n_voted)``.

    A participant who voted on few statements would otherwise sit near the centre just for lack of
    data. Returns (n_participants, n_components).
    """
    raw = np.asarray(centred @ components.T)
    scale = np.sqrt(n_statements / np.maximum(n_voted, 1))
    return raw * scale[:, None]


def _kmeans(points: np.ndarray, k: int, random_state: int, weights: np.ndarray | None = None, n_init: int = 4):
    model = KMeans(n_clusters=k, n_init=n_init, random_state=random_state, algorithm="lloyd")
    model.fit(points, sample_weight=weights)
    return model.labels_, model.cluster_centers_


def base_clusters(points: np.ndarray, max_clusters: int, random_state: int) -> tuple[np.ndarray, np.ndarray]:
    """Summarise participants' positions by up to ``max_clusters`` k-means centres.

    Returns (labels (n_points,), centres (n_clusters, 2)); fewer clusters when there are fewer
    distinct points. Empty clusters are dropped and labels renumbered.
    """
    n_distinct = len(np.unique(points, axis=0))
    k = min(max_clusters, n_distinct)
    if k <= 1:
        return np.zeros(len(points), dtype=np.int64), points.mean(axis=0, keepdims=True)
    labels, centres = _kmeans(points, k, random_state, n_init=1)
    used, labels = np.unique(labels, return_inverse=True)
    return labels, centres[used]


def _polis_kmeans(points: np.ndarray, k: int, weights: np.ndarray | None):
    """k-means started as pol.is starts it: from the first ``k`` distinct points in sorted order."""
    distinct = np.unique(points, axis=0)
    model = KMeans(n_clusters=k, init=distinct[:k], n_init=1, algorithm="lloyd")
    model.fit(points, sample_weight=weights)
    return model.labels_, model.cluster_centers_


def _silhouette(points: np.ndarray, labels: np.ndarray) -> float:
    return float(silhouette_score(points, labels)) if len(np.unique(labels)) >= 2 else -np.inf


def group_base_clusters(
    centres: np.ndarray, weights: np.ndarray, *, max_groups: int, random_state: int
) -> tuple[np.ndarray, dict[int, float]]:
    """Group base-cluster centres into 2…k opinion groups, k chosen by silhouette.

    As pol.is: k-means on the centres weighted by their sizes, for k from 2 to
    ``min(max_groups, 2 + n_centres // 12)``; the silhouette is computed on the (unweighted) centres.
    For each k two partitions compete — seeded k-means with 10 starts, and k-means started the way
    pol.is starts it — and the one with the higher silhouette is kept (ties keep the seeded one). Two
    starts matter because k-means has near-equal optima on real conversations; the silhouette, which
    already chooses k, arbitrates between them without looking at any reference grouping.
    Returns (group label per centre, {k: silhouette}). With fewer than 3 distinct centres there is no
    choice to make: each centre is its own group (or one group for one centre).
    """
    n = len(centres)
    if n < 3:
        return np.arange(n, dtype=np.int64), {}
    top = min(max_groups, 2 + n // 12, n - 1)
    scores: dict[int, float] = {}
    best_labels, best_score = None, -np.inf
    for k in range(2, top + 1):
        seeded, _ = _kmeans(centres, k, random_state, weights=weights, n_init=10)
        labels, score = seeded, _silhouette(centres, seeded)
        if len(np.unique(centres, axis=0)) >= k:
            polis_start, _ = _polis_kmeans(centres, k, weights)
            polis_score = _silhouette(centres, polis_start)
            if polis_score > score:
                labels, score = polis_start, polis_score
        if score == -np.inf:
            continue
        scores[k] = score
        if score > best_score:  # strict: ties keep the smaller k
            best_labels, best_score = labels, score
    if best_labels is None:
        return np.zeros(n, dtype=np.int64), scores
    return best_labels, scores


def _relabel_by_size(labels: np.ndarray) -> np.ndarray:
    """Renumber labels ≥ 0 so that 0 is the largest group (ties: first appearance first)."""
    valid = labels >= 0
    if not valid.any():
        return labels
    present, first, sizes = np.unique(labels[valid], return_index=True, return_counts=True)
    order = np.lexsort((first, -sizes))
    mapping = np.full(present.max() + 1, -1)
    mapping[present[order]] = np.arange(len(order))
    out = labels.copy()
    out[valid] = mapping[labels[valid]]
    return out


def prop_test(successes: np.ndarray, trials: np.ndarray) -> np.ndarray:
    """Pol.is's one-proportion z against ½ with a pseudocount: ``2 √(n+1) ((s+1)/(n+1) − ½)``."""
    s = np.asarray(successes, dtype=np.float64) + 1
    n = np.asarray(trials, dtype=np.float64) + 1
    return 2 * np.sqrt(n) * (s / n - 0.5)


def two_prop_test(succ_in, succ_out, n_in, n_out) -> np.ndarray:
    """Pol.is's two-proportion z (group vs rest), each count incremented by one; 0 when p̂ = 1."""
    s1, s2, n1, n2 = (np.asarray(x, dtype=np.float64) + 1 for x in (succ_in, succ_out, n_in, n_out))
    p1, p2 = s1 / n1, s2 / n2
    pooled = (s1 + s2) / (n1 + n2)
    denominator = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (p1 - p2) / denominator
    return np.where(pooled >= 1, 0.0, z)


def vote_counts(matrix: VoteMatrix, labels: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Agree, disagree and total votes per group and statement, each (n_groups, n_statements).

    ``labels`` (n_participants,) gives each participant's group; −1 leaves them out.
    """
    n_s = matrix.shape[1]
    group = np.repeat(np.asarray(labels, dtype=np.int64), np.diff(matrix.votes.indptr))
    keep = group >= 0
    # one bincount over (group, statement, vote) cells: vote + 1 is 0 disagree, 1 pass, 2 agree
    code = (group[keep] * n_s + matrix.votes.indices[keep]) * 3 + (matrix.votes.data[keep] + 1)
    counts = np.bincount(code, minlength=n_groups * n_s * 3).reshape(n_groups, n_s, 3)
    disagree, agree = counts[:, :, 0], counts[:, :, 2]
    return agree, disagree, counts.sum(axis=2)


def statement_stats(n_agree: np.ndarray, n_disagree: np.ndarray, n_votes: np.ndarray) -> StatementStats:
    """Pol.is's per-group statistics from counts (n_groups, n_statements); the rest = other groups."""
    rest_agree = n_agree.sum(axis=0) - n_agree
    rest_disagree = n_disagree.sum(axis=0) - n_disagree
    rest_votes = n_votes.sum(axis=0) - n_votes
    p_agree = (n_agree + 1) / (n_votes + 2)
    p_disagree = (n_disagree + 1) / (n_votes + 2)
    return StatementStats(
        n_agree=n_agree,
        n_disagree=n_disagree,
        n_votes=n_votes,
        p_agree=p_agree,
        p_disagree=p_disagree,
        p_agree_test=prop_test(n_agree, n_votes),
        p_disagree_test=prop_test(n_disagree, n_votes),
        r_agree=p_agree / ((rest_agree + 1) / (rest_votes + 2)),
        r_disagree=p_disagree / ((rest_disagree + 1) / (rest_votes + 2)),
        r_agree_test=two_prop_test(n_agree, rest_agree, n_votes, rest_votes),
        r_disagree_test=two_prop_test(n_disagree, rest_disagree, n_votes, rest_votes),
    )


def _finalize(stats: StatementStats, g: int, j: int, statement_id: int, best_agree: bool = False):
    # As pol.is finalize-cmt-stats: the side with the stronger representativeness test wins. The
    # best-agree statement is chosen for what the group agrees with, so it is always reported on the
    # agree side (pol.is would label it "disagree" when both tests tie, e.g. everybody agrees).
    agree = best_agree or stats.r_agree_test[g, j] > stats.r_disagree_test[g, j]
    return RepresentativeStatement(
        statement=int(statement_id),
        direction="agree" if agree else "disagree",
        p=float(stats.p_agree[g, j] if agree else stats.p_disagree[g, j]),
        p_test=float(stats.p_agree_test[g, j] if agree else stats.p_disagree_test[g, j]),
        repness=float(stats.r_agree[g, j] if agree else stats.r_disagree[g, j]),
        z=float(stats.r_agree_test[g, j] if agree else stats.r_disagree_test[g, j]),
        n_success=int(stats.n_agree[g, j] if agree else stats.n_disagree[g, j]),
        n_trials=int(stats.n_votes[g, j]),
        best_agree=best_agree,
    )


def _best_agree_index(stats: StatementStats, g: int) -> int | None:
    """Pol.is ``beats-best-agr?`` scanned in statement order: the statement shown as what the group
    agrees on. The first candidate must be significantly agreed (or agreed more than elsewhere by a
    majority); later ones replace it on ra·rat·pa·pat while the best is over-represented (ra > 1),
    otherwise on pa·pat."""
    na, nd = stats.n_agree[g].tolist(), stats.n_disagree[g].tolist()
    ra, rat = stats.r_agree[g].tolist(), stats.r_agree_test[g].tolist()
    pa, pat = stats.p_agree[g].tolist(), stats.p_agree_test[g].tolist()
    best = None
    for j in range(len(na)):
        if na[j] == 0 and nd[j] == 0:
            continue
        if best is None:
            if pat[j] > Z_90 or (ra[j] > 1.0 and pa[j] > 0.5):
                best = j
        elif ra[best] > 1.0:
            if ra[j] * rat[j] * pa[j] * pat[j] > ra[best] * rat[best] * pa[best] * pat[best]:
                best = j
        elif pa[j] * pat[j] > pa[best] * pat[best]:
            best = j
    return best


def _repness_metric(stats: StatementStats, g: int, columns: np.ndarray) -> np.ndarray:
    """Pol.is's sort key repness × repness-z × p × p-test, on the side ``_finalize`` reports."""
    agree = stats.r_agree_test[g, columns] > stats.r_disagree_test[g, columns]
    side = {
        name: np.where(agree, getattr(stats, a)[g, columns], getattr(stats, d)[g, columns])
        for name, a, d in (
            ("r", "r_agree", "r_disagree"),
            ("z", "r_agree_test", "r_disagree_test"),
            ("p", "p_agree", "p_disagree"),
            ("pt", "p_agree_test", "p_disagree_test"),
        )
    }
    return side["r"] * side["z"] * side["p"] * side["pt"]


def select_representative(
    stats: StatementStats, statement_ids: np.ndarray, *, pick_max: int = 5
) -> list[list[RepresentativeStatement]]:
    """Pol.is ``select-rep-comments``: up to ``pick_max`` representative statements per group.

    Sufficient statements pass both tests (probability and representativeness) at 90 % in one
    direction; they are sorted by repness × z × p × p_test, the group's best-agree statement goes
    first, the list is cut at ``pick_max`` and agrees are put before disagrees. A group with no
    sufficient statement gets its best-agree statement, or failing that the statement with the
    highest representativeness z.
    """
    n_groups, n_s = stats.n_votes.shape
    out: list[list[RepresentativeStatement]] = []
    agree_ok = (stats.r_agree_test > Z_90) & (stats.p_agree_test > Z_90)
    disagree_ok = (stats.r_disagree_test > Z_90) & (stats.p_disagree_test > Z_90)
    sufficient_mask = agree_ok | disagree_ok
    for g in range(n_groups):
        best_agree = _best_agree_index(stats, g)
        sufficient = np.flatnonzero(sufficient_mask[g])
        head = [_finalize(stats, g, best_agree, statement_ids[best_agree], True)] if best_agree is not None else []
        if len(sufficient) == 0:
            voted = stats.n_votes[g] > 0
            if not head and voted.any():
                # unlike pol.is, never show a statement the group did not vote on
                strength = np.where(voted, np.maximum(stats.r_agree_test[g], stats.r_disagree_test[g]), -np.inf)
                best = int(np.argmax(strength))
                head = [_finalize(stats, g, best, statement_ids[best])]
            out.append(head)
            continue
        sufficient = sufficient[sufficient != best_agree] if best_agree is not None else sufficient
        metric = _repness_metric(stats, g, sufficient)
        # a stable sort: equal metrics keep statement order, as Clojure's sort-by does
        ranked = sufficient[np.argsort(-metric, kind="stable")][: max(pick_max - len(head), 0)]
        chosen = (head + [_finalize(stats, g, j, statement_ids[j]) for j in ranked])[:pick_max]
        chosen = [r for r in chosen if r.direction == "agree"] + [r for r in chosen if r.direction == "disagree"]
        out.append(chosen)
    return out


def select_consensus(
    n_agree: np.ndarray, n_disagree: np.ndarray, n_votes: np.ndarray, statement_ids: np.ndarray, *, pick_max: int = 5
) -> tuple[list[ConsensusStatement], list[ConsensusStatement]]:
    """Pol.is ``select-consensus-comments`` over everybody's votes (arrays (n_statements,)).

    A statement is an agree consensus when p_agree > ½ and its z against ½ exceeds 1.2816; the top
    ``pick_max`` by p × z. Same for disagree. Returns (agree, disagree).
    """

    def top(successes: np.ndarray) -> list[ConsensusStatement]:
        p = (successes + 1) / (n_votes + 2)
        z = prop_test(successes, n_votes)
        candidates = np.flatnonzero((p > 0.5) & (z > Z_90))
        ranked = candidates[np.argsort(-(p * z)[candidates], kind="stable")][:pick_max]
        return [
            ConsensusStatement(int(statement_ids[j]), float(p[j]), float(z[j]), int(successes[j]), int(n_votes[j]))
            for j in ranked
        ]

    return top(n_agree), top(n_disagree)


# ---------------------------------------------------------------------------------------------
# The whole analysis
# ---------------------------------------------------------------------------------------------


def analyze(
    votes: VoteMatrix,
    *,
    moderated_out: Iterable[int] = (),
    random_state: int = 0,
    min_votes: int = 7,
    top_up: int = 15,
    max_base_clusters: int = 100,
    max_groups: int = 5,
    pick_max: int = 5,
    n_threads: int | None = 1,
) -> OpinionResult:
    """Map a conversation: groups, representative statements and consensus.

    ``votes`` is the participants × statements matrix; ``moderated_out`` lists statement ids to leave
    out of everything (their votes still count towards being in the conversation, as in pol.is).
    Deterministic for a given ``random_state``. See the module docstring for the method.

    ``n_threads`` caps the BLAS/OpenMP threads used (None: library defaults). One thread is the
    default because the matrices here are thin (n × 2 projections, a 2-component SVD): extra threads
    only add synchronisation, and on a busy machine they oversubscribe the cores — measured 20× slower
    on a 2,000-participant conversation with a loaded 2-core machine.
    """
    if n_threads is None:
        return _analyze(votes, moderated_out, random_state, min_votes, top_up, max_base_clusters, max_groups, pick_max)
    with threadpool_limits(limits=n_threads):
        return _analyze(votes, moderated_out, random_state, min_votes, top_up, max_base_clusters, max_groups, pick_max)


def _analyze(
    votes: VoteMatrix,
    moderated_out: Iterable[int],
    random_state: int,
    min_votes: int,
    top_up: int,
    max_base_clusters: int,
    max_groups: int,
    pick_max: int,
) -> OpinionResult:
    moderated = np.asarray(sorted(set(int(s) for s in moderated_out)), dtype=np.int64)
    n_p = votes.shape[0]
    votes_per_participant = votes.votes_per_participant()
    # pol.is's vote matrix has a column per statement that received a vote
    n_statements_voted = int((np.bincount(votes.votes.indices, minlength=votes.shape[1]) > 0).sum())
    inside = in_conversation(votes_per_participant, n_statements_voted, min_votes=min_votes, top_up=top_up)

    active = ~np.isin(votes.statement_ids, moderated)
    matrix = votes.select_statements(active) if not active.all() else votes
    centred, means = centered_votes(matrix)
    components, variance = principal_components(centred, 2, random_state)
    # Pol.is zeroes moderated-out columns for everybody rather than dropping them: they add nothing
    # to the PCA but count as a vote of every participant in the sparsity scaling. Reproducing that
    # keeps our map on pol.is's scale (it matters for which participants k-means puts together).
    statement_has_votes = np.bincount(votes.votes.indices, minlength=votes.shape[1]) > 0
    n_zeroed = int((statement_has_votes & ~active).sum())
    n_scaling = max(int(statement_has_votes.sum()), 1)
    projections = sparsity_aware_projection(
        centred, components, matrix.votes_per_participant() + n_zeroed, n_scaling
    )
    # A virtual participant agreeing with one statement only (pol.is places statements this way).
    statement_projections = (1.0 - means)[:, None] * components.T * np.sqrt(n_scaling / (1 + n_zeroed))

    members = np.flatnonzero(inside)
    base_labels = np.full(n_p, -1, dtype=np.int64)
    groups = np.full(n_p, -1, dtype=np.int64)
    silhouettes: dict[int, float] = {}
    base_centres = np.zeros((0, 2))
    if len(members):
        labels, base_centres = base_clusters(projections[members], max_base_clusters, random_state)
        base_labels[members] = labels
        weights = np.bincount(labels, minlength=len(base_centres)).astype(np.float64)
        centre_groups, silhouettes = group_base_clusters(
            base_centres, weights, max_groups=max_groups, random_state=random_state
        )
        groups[members] = centre_groups[labels]
        groups = _relabel_by_size(groups)
    n_groups = int(groups.max()) + 1 if (groups >= 0).any() else 0

    agree, disagree, total = vote_counts(matrix, groups, n_groups)
    stats = statement_stats(agree, disagree, total)
    representative = select_representative(stats, matrix.statement_ids, pick_max=pick_max)

    everybody = np.zeros(n_p, dtype=np.int64)
    all_agree, all_disagree, all_total = vote_counts(matrix, everybody, 1)
    consensus_agree, consensus_disagree = select_consensus(
        all_agree[0], all_disagree[0], all_total[0], matrix.statement_ids, pick_max=pick_max
    )
    return OpinionResult(
        participant_ids=votes.participant_ids,
        statement_ids=matrix.statement_ids,
        in_conversation=inside,
        groups=groups,
        projections=projections,
        components=components,
        center=means,
        explained_variance=variance,
        statement_projections=statement_projections,
        base_clusters=base_labels,
        base_centers=base_centres,
        silhouettes=silhouettes,
        group_stats=stats,
        representative=representative,
        consensus_agree=consensus_agree,
        consensus_disagree=consensus_disagree,
        group_aware_consensus_agree=stats.p_agree.prod(axis=0) if n_groups else np.zeros(matrix.shape[1]),
        group_aware_consensus_disagree=stats.p_disagree.prod(axis=0) if n_groups else np.zeros(matrix.shape[1]),
        parameters={
            "random_state": random_state,
            "min_votes": min_votes,
            "top_up": top_up,
            "max_base_clusters": max_base_clusters,
            "max_groups": max_groups,
            "pick_max": pick_max,
            "moderated_out": moderated.tolist(),
        },
    )


def to_dict(result: OpinionResult) -> dict:
    """Plain JSON-able form: the contract of ``atout opinion analyze --json``.

    ``participants`` maps each participant id (as a string) to a group id, or None when not in the
    conversation; ``groups`` list their representative statements; ``consensus`` the agree/disagree
    consensus statements. Numbers are native Python types.
    """
    sizes = result.group_sizes()
    return {
        "participants": {str(pid): group for pid, group in result.group_of().items()},
        "groups": [
            {
                "id": gid,
                "size": int(sizes[gid]),
                "representative": [
                    {
                        "statement": int(r.statement),
                        "direction": r.direction,
                        "p": float(r.p),
                        "repness": float(r.repness),
                        "z": float(r.z),
                        "p_test": float(r.p_test),
                        "n_success": int(r.n_success),
                        "n_trials": int(r.n_trials),
                        "best_agree": bool(r.best_agree),
                    }
                    for r in reps
                ],
            }
            for gid, reps in enumerate(result.representative)
        ],
        "consensus": {
            direction: [
                {"statement": int(c.statement), "p": float(c.p), "z": float(c.z), "n_success": int(c.n_success), "n_trials": int(c.n_trials)}
                for c in items
            ]
            for direction, items in (("agree", result.consensus_agree), ("disagree", result.consensus_disagree))
        },
    }
