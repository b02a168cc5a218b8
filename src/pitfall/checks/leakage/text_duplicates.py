"""Exact and near copies of text records across the split (PF201, PF202, PF203 for ``--text``).

A record is the content of the text column(s) of a row, normalised so that case, whitespace and
punctuation do not matter (``minhash.normalise``). Exact copies share the normalised text; near
copies have character (or word) shingle sets with a Jaccard similarity of at least 0.8, found by
MinHash and LSH and verified exactly (``minhash.near_pairs``).

Like the tabular checks, a copy counts only when it is improbable by chance. Short, common
records ("ok", "red shirt") recur in any corpus, and templated records (catalogue entries built
from a few slots) repeat one another by chance once the corpus is large. A test record counts as
copied only when fewer than 0.01 other training records are expected to repeat it by chance.

Two estimates of that chance are made:
- Word models of the training records: words pooled, words per position (templates whose words
  keep their slots) and each word given the one before it. The largest of the three is kept. For
  near copies, any one word may differ, a word more or fewer, and in any order.
- For a test record with a copy in train, a trigram model of the training records. It has an end
  mark and backs off to one word of context, then none, where a context is unseen. The record is
  scored without the copy's own counts (leave one out), which the word models cannot do.

An exact copy counts when both estimates are small. A near copy counts when the trigram chance of
the runs of words it shares with its partner is small: two entries that share only a template are
chance, and a relisting that keeps its article number is not. The counts are tested against their
Poisson expectation by chance, summed from the word models (p < alpha).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy.special import gammaln

from pitfall.data.minhash import BANDS, JACCARD, N_PERM, ROWS, content_keys, near_pairs, normalise
from pitfall.data.text import as_text

if TYPE_CHECKING:
    from pitfall.checks.base import Check
    from pitfall.checks.context import Context
    from pitfall.findings import Finding

__all__ = [
    "TextMatches",
    "record_texts",
    "text_exact_duplicates",
    "text_group_leakage",
    "text_matches",
    "text_near_duplicates",
]

CHANCE = 0.01  # a copy counts when fewer chance copies than this are expected for the record
_SHOW = 160  # characters of a record shown in the evidence


def record_texts(frame: pd.DataFrame, columns: tuple[str, ...] | list[str]) -> np.ndarray:
    """The text of each row: its text columns joined by a newline (missing values as empty)."""
    parts = [as_text(frame[c]) for c in columns]
    if len(parts) == 1:
        return parts[0].astype(object)
    return np.asarray(["\n".join(row) for row in zip(*parts, strict=True)], dtype=object)


@dataclass
class TextMatches:
    """Test records copied from train, improbable by chance.

    Attributes:
        exact: Test rows whose normalised text equals a training record's, and improbable by chance.
        exact_partner: A training row with that text, for each of ``exact``.
        near: Test rows (not in ``exact``) with a training record at Jaccard >= 0.8, improbable.
        near_partner: The most similar training row, for each of ``near``.
        near_jaccard: Its Jaccard similarity.
        mu_exact: Poisson expectation of ``len(exact)`` by chance.
        mu_near: Poisson expectation of ``len(near)`` by chance.
        plausible: Test rows with an exact or near copy that chance explains (not counted).
        codes: Distinct-text code of every record (train rows first, then test rows).
        pairs: Verified near pairs between distinct texts, as codes (for clusters).
        candidates: Candidate pairs LSH proposed.
        shingles: The shingles used.
    """

    exact: np.ndarray
    exact_partner: np.ndarray
    near: np.ndarray
    near_partner: np.ndarray
    near_jaccard: np.ndarray
    mu_exact: float
    mu_near: float
    plausible: int
    codes: np.ndarray
    pairs: np.ndarray
    candidates: int
    shingles: str

    def method(self) -> str:
        return (
            f"MinHash ({N_PERM} permutations, LSH {BANDS} bands x {ROWS} rows) over {self.shingles} of "
            f"the normalised text, candidates verified by exact Jaccard >= {JACCARD:g}"
        )


MAX_POSITION = 50  # the positional word model pools positions from here on


def _token_frame(norm: np.ndarray) -> pd.DataFrame:
    """One row per word of each record: record number, position (capped) and word."""
    words = pd.Series(norm, dtype=object).str.split(" ").explode()
    rec = words.index.to_numpy()
    pos = words.groupby(level=0).cumcount().to_numpy()
    w = words.to_numpy()
    prev = np.empty(len(w), dtype=object)
    prev[1:] = w[:-1]
    prev[pos == 0] = "\x02"  # start of record
    return pd.DataFrame({"r": rec, "pos": np.minimum(pos, MAX_POSITION), "prev": prev, "w": w})


def _word_logp(train: pd.DataFrame, test: pd.DataFrame, keys: list[str], vocab: int) -> np.ndarray:
    """log p of each test word under a model keyed by ``keys`` (add-0.5 smoothing).

    Over the whole vocabulary for the unigram models; for the bigram model (``prev``) over the
    words seen after that word plus one, so a template word that always follows its predecessor
    keeps a probability near one instead of sharing its mass with the whole vocabulary.
    """
    counts = train.groupby(keys).size()
    totals = train.groupby(keys[:-1]).size() if len(keys) > 1 else pd.Series({0: len(train)})
    key = pd.MultiIndex.from_frame(test[keys]) if len(keys) > 1 else pd.Index(test[keys[0]])
    c = counts.reindex(key).fillna(0.0).to_numpy()
    context = test[keys[0]] if len(keys) > 1 else np.zeros(len(test), dtype=int)
    t = totals.reindex(context).fillna(0.0).to_numpy()
    if keys[0] == "prev":
        seen = counts.groupby(level=0).size().reindex(context).fillna(0.0).to_numpy()
        return np.log((c + 0.5) / (t + 0.5 * (seen + 1)))
    return np.log((c + 0.5) / (t + 0.5 * vocab))


def _chance_logs(train_norm: np.ndarray, test_norm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """log expected chance copies in train of each test record: exact, and near.

    Three models of the training words: unigrams pooled over positions (free text), unigrams per
    position (templated text such as "<colour> <item> size <size>", whose words keep their slots)
    and bigrams (templates whose slots hold phrases of varying length, which shift the positions);
    each record takes the largest chance of the three, so templates are not mistaken for copies.
    """
    n = len(test_norm)
    train_tok, test_tok = _token_frame(train_norm), _token_frame(test_norm)
    vocab = len(pd.Index(train_tok["w"]).union(pd.Index(test_tok["w"])).unique())
    rec = test_tok["r"].to_numpy()
    lengths = train_tok.groupby("r").size()
    p_len = lengths.value_counts() / max(len(train_norm), 1)
    test_len = test_tok.groupby("r").size().reindex(range(n)).fillna(0).astype(int)
    log_n = np.log(max(len(train_norm), 1))
    with np.errstate(divide="ignore"):
        log_len = np.log(test_len.map(p_len).astype(float).fillna(0.0).to_numpy())
        p_near_len = sum(test_len.add(d).map(p_len).astype(float).fillna(0.0).to_numpy() for d in (-1, 0, 1))
        log_near_len = np.log(p_near_len)
    # a near copy may have its words in another order (shingle sets barely see order)
    repeats = test_tok.groupby(["r", "w"]).size()
    log_orders = (
        gammaln(test_len.to_numpy(dtype=float) + 1)
        - pd.Series(gammaln(repeats.to_numpy(dtype=float) + 1), index=repeats.index.get_level_values(0))
        .groupby(level=0)
        .sum()
        .reindex(range(n))
        .fillna(0.0)
        .to_numpy()
    )
    exact = np.full(n, -np.inf)
    near = np.full(n, -np.inf)
    for keys in (["w"], ["pos", "w"], ["prev", "w"]):
        lp = _word_logp(train_tok, test_tok, keys, vocab)
        sum_lp = pd.Series(lp).groupby(rec).sum().reindex(range(n)).to_numpy(dtype=float)
        # log Σ_i 1/p(w_i), stably: any one word may differ (or be added or dropped) in a near copy
        top = pd.Series(lp).groupby(rec).min().reindex(range(n)).to_numpy(dtype=float)
        shift = pd.Series(np.exp(-lp + top[rec])).groupby(rec).sum().reindex(range(n)).to_numpy(dtype=float)
        inv = np.log(shift) - top
        exact = np.maximum(exact, log_n + log_len + sum_lp)
        # only the pooled model is blind to order; the positional and bigram models score one sequence
        near_base = log_n + log_near_len + sum_lp + (log_orders if keys == ["w"] else 0.0)
        near = np.maximum(near, np.logaddexp(near_base, near_base + inv))
    empty = test_norm == ""
    return np.where(empty, np.inf, exact), np.where(empty, np.inf, near)


_START, _END = "\x02", "\x03"


def _sequence_tokens(norm: np.ndarray) -> pd.DataFrame:
    """One row per word of each record plus an end mark, with the two words before it."""
    words = pd.Series([f"{t} {_END}" if t else _END for t in norm], dtype=object).str.split(" ").explode()
    w = words.to_numpy()
    pos = words.groupby(level=0).cumcount().to_numpy()
    p1 = np.empty(len(w), dtype=object)
    p1[1:] = w[:-1]
    p1[pos == 0] = _START
    p2 = np.empty(len(w), dtype=object)
    p2[2:] = w[:-2]
    p2[pos <= 1] = _START
    return pd.DataFrame({"r": words.index.to_numpy(), "p2": p2, "p1": p1, "w": w})


def _leave_one_out(
    train_tok: pd.DataFrame, own: pd.DataFrame, x: pd.DataFrame, context: list[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Counts of each test word after ``context`` in train, of the context, and of distinct words
    after it, all without the test record's partner (``x["p"]``)."""
    keys = [*context, "w"]
    counts = train_tok.groupby(keys).size()
    c = counts.reindex(pd.MultiIndex.from_frame(x[keys]) if len(keys) > 1 else pd.Index(x["w"])).fillna(0.0)
    oc = own.groupby(["p", *keys]).size().reindex(pd.MultiIndex.from_frame(x[["p", *keys]])).fillna(0.0)
    c_all, c = c.to_numpy(dtype=float), c.to_numpy(dtype=float) - oc.to_numpy(dtype=float)
    if context:
        idx = pd.MultiIndex.from_frame(x[context]) if len(context) > 1 else pd.Index(x[context[0]])
        t = train_tok.groupby(context).size().reindex(idx).fillna(0.0).to_numpy(dtype=float)
        k = counts.groupby(level=list(range(len(context)))).size().reindex(idx).fillna(0.0).to_numpy(dtype=float)
        ot = own.groupby(["p", *context]).size().reindex(pd.MultiIndex.from_frame(x[["p", *context]]))
        t = t - ot.fillna(0.0).to_numpy(dtype=float)
    else:
        t = np.full(len(x), float(len(train_tok)))
        k = np.zeros(len(x))
        t = t - own.groupby("p").size().reindex(x["p"]).fillna(0.0).to_numpy(dtype=float)
    return c, t, k - ((c == 0) & (c_all > 0))


def _sequence_logs(train_norm: np.ndarray, test_norm: np.ndarray, partner: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """log expected chance copies of each test record with a partner in train, under a trigram model.

    Templates fix words far apart (a word chosen by the language of the first ones), which the
    word models above score as free. A trigram model with an end mark sees most of that, but it
    would learn a copied record from the copy itself, so each test record is scored on the
    training counts without its partner (leave one out): the chance that another record repeats
    it. Returns the chance of the whole record (exact copies) and of the runs of words it shares
    with its partner (near copies); -inf where there is no partner.
    """
    n = len(test_norm)
    train_tok, test_tok = _sequence_tokens(train_norm), _sequence_tokens(test_norm)
    own = train_tok.rename(columns={"r": "p"})
    x = test_tok.assign(p=partner[test_tok["r"].to_numpy()])
    vocab = len(pd.Index(train_tok["w"]).union(pd.Index(test_tok["w"])).unique())
    # back off from two words of context to one to none where the context is unseen (without the partner)
    lp = np.full(len(x), np.nan)
    for context in (["p2", "p1"], ["p1"], []):
        c, t, k = _leave_one_out(train_tok, own, x, context)
        if context:
            est = np.log((c + 0.5) / (t + 0.5 * (k + 1)))
            use = np.isnan(lp) & (t > 0)
        else:
            est = np.log((c + 0.5) / (t + 0.5 * vocab))
            use = np.isnan(lp)
        lp[use] = est[use]
    rec = x["r"].to_numpy()
    pairs = pd.DataFrame({"r": np.flatnonzero(partner >= 0)})
    pairs["p"] = partner[pairs["r"]]
    # a word counts for a near copy where the partner has it after the same word: the shared runs
    # of text, not words (or the end) that merely recur after a changed one
    run = ["r", "p1", "w"]
    theirs = pairs.merge(own[["p", "p1", "w"]], on="p")[run].drop_duplicates()
    shared = (
        pd.MultiIndex.from_frame(x[run]).isin(pd.MultiIndex.from_frame(theirs))
        if len(theirs)
        else np.zeros(len(x), dtype=bool)
    )
    log_n = np.log(max(len(train_norm) - 1, 1))
    whole = log_n + pd.Series(lp).groupby(rec).sum().reindex(range(n)).to_numpy(dtype=float)
    part = log_n + pd.Series(np.where(shared, lp, 0.0)).groupby(rec).sum().reindex(range(n)).to_numpy(dtype=float)
    has = partner >= 0
    return np.where(has, whole, -np.inf), np.where(has, part, -np.inf)


def text_matches(ctx: Context) -> TextMatches:
    """Exact and near copies of test records in train (computed once per scan)."""

    def compute() -> TextMatches:
        cols = ctx.split.roles.text
        train_norm = normalise(record_texts(ctx.split.train, cols))
        test_norm = normalise(record_texts(ctx.split.test, cols))
        n_train = len(train_norm)
        allnorm = np.concatenate([train_norm, test_norm])
        codes, _ = pd.factorize(pd.Series(content_keys(allnorm)))
        codes = np.asarray(codes, dtype=np.int64)
        log_exact, log_near = _chance_logs(train_norm, test_norm)
        train_first = pd.Series(np.arange(n_train)).groupby(codes[:n_train]).first()
        test_codes = codes[n_train:]
        nonempty = test_norm != ""
        has_exact = pd.Index(train_first.index).get_indexer(test_codes) >= 0
        has_exact &= nonempty

        found = near_pairs(allnorm, seed=ctx.seed)
        pair_codes = codes[found.pairs] if len(found.pairs) else np.zeros((0, 2), dtype=np.int64)
        # best training partner of each distinct test text, over pairs that cross the split
        first_train = found.pairs < n_train
        cross = first_train[:, 0] != first_train[:, 1]
        a, b = found.pairs[cross, 0], found.pairs[cross, 1]
        tr = np.where(a < n_train, a, b)
        te = np.where(a < n_train, b, a)
        best = (
            pd.DataFrame({"code": codes[te], "train": tr, "j": found.jaccard[cross]})
            .sort_values(["code", "j", "train"], ascending=[True, False, True])
            .drop_duplicates("code")
            .set_index("code")
        )
        pos = best.index.get_indexer(test_codes)
        has_near = (pos >= 0) & ~has_exact & nonempty
        best_train = best["train"].to_numpy(dtype=np.int64)
        partner = np.where(has_near, best_train[np.maximum(pos, 0)] if len(best_train) else -1, -1)
        exact_first = train_first.reindex(test_codes).fillna(-1).to_numpy(dtype=np.int64)
        seq_exact, seq_shared = _sequence_logs(train_norm, test_norm, np.where(has_exact, exact_first, partner))
        log_exact = np.where(has_exact, np.maximum(log_exact, seq_exact), log_exact)
        # a near copy counts when the runs of words it shares with its partner are improbable
        log_paired = np.where(has_near, seq_shared, -np.inf)
        exact_ok = has_exact & (log_exact < np.log(CHANCE))
        exact = np.flatnonzero(exact_ok)
        exact_partner = exact_first[exact]
        mu_exact = float(np.exp(log_exact[nonempty & (log_exact < np.log(CHANCE))]).sum())
        near_ok = has_near & (log_paired < np.log(CHANCE))
        near = np.flatnonzero(near_ok)
        eligible_near = nonempty & ~has_exact & (log_near < np.log(CHANCE))
        return TextMatches(
            exact=exact,
            exact_partner=exact_partner,
            near=near,
            near_partner=best["train"].to_numpy(dtype=np.int64)[pos[near]],
            near_jaccard=best["j"].to_numpy(dtype=float)[pos[near]],
            mu_exact=mu_exact,
            mu_near=float(np.exp(log_near[eligible_near]).sum()),
            plausible=int(((has_exact & ~exact_ok) | (has_near & ~near_ok)).sum()),
            codes=codes,
            pairs=pair_codes,
            candidates=found.candidates,
            shingles=found.shingles,
        )

    return ctx.cached("text_matches", compute)


def _show(frame: pd.DataFrame, row: int, cols: tuple[str, ...]) -> str:
    text = str(record_texts(frame.iloc[[row]], cols)[0])
    return text if len(text) <= _SHOW else text[: _SHOW - 1] + "…"


def _common_evidence(ctx: Context, k: int, mu: float, p: float) -> tuple[dict, bool]:
    from pitfall.checks.shared import impact_severity_share

    n_test = len(ctx.split.test)
    share = k / n_test
    exceeds, half = impact_severity_share(share, n_test)
    return {
        "modality": "text",
        "text_columns": list(ctx.split.roles.text),
        "count": k,
        "share_of_test": share,
        "expected_by_chance": mu,
        "p_value": p,
        "score_noise_half_width": half,
    }, exceeds


def text_exact_duplicates(check: Check, ctx: Context, alpha: float) -> Iterator[Finding]:
    """PF201 for text: test records whose normalised text is a training record's."""
    from pitfall.findings import Severity
    from pitfall.stats import poisson_sf

    m = text_matches(ctx)
    k = len(m.exact)
    p = poisson_sf(k, m.mu_exact)
    if k == 0 or p >= alpha:
        return
    evidence, exceeds = _common_evidence(ctx, k, m.mu_exact, p)
    cols = ctx.split.roles.text
    evidence["method"] = "hash of the normalised text (case, whitespace and punctuation ignored)"
    evidence["matches_plausible_by_chance"] = m.plausible
    evidence["examples"] = [
        {
            "test_row": int(r),
            "train_row": int(t),
            "test_text": _show(ctx.split.test, int(r), cols),
            "train_text": _show(ctx.split.train, int(t), cols),
        }
        for r, t in zip(m.exact[:5], m.exact_partner[:5], strict=True)
    ]
    yield check.finding(
        f"{k:,} of {len(ctx.split.test):,} test records ({evidence['share_of_test']:.1%}) in "
        f"{', '.join(map(repr, cols))} repeat a training record once case, spacing and punctuation are "
        f"ignored ({m.mu_exact:.2g} expected by chance).",
        "Deduplicate the normalised texts before splitting, or split by the document or source they "
        "come from (`--split group --group ID`).",
        evidence=evidence,
        columns=cols,
        severity=Severity.ERROR if exceeds else Severity.WARNING,
    )


def text_near_duplicates(check: Check, ctx: Context, alpha: float) -> Iterator[Finding]:
    """PF202 for text: test records with a training record at shingle Jaccard >= 0.8."""
    from pitfall.findings import Severity
    from pitfall.stats import poisson_sf

    m = text_matches(ctx)
    k = len(m.near)
    p = poisson_sf(k, m.mu_near)
    if k == 0 or p >= alpha:
        return
    evidence, exceeds = _common_evidence(ctx, k, m.mu_near, p)
    cols = ctx.split.roles.text
    evidence["method"] = m.method()
    evidence["jaccard_threshold"] = JACCARD
    evidence["candidate_pairs"] = m.candidates
    evidence["median_jaccard"] = float(np.median(m.near_jaccard))
    evidence["examples"] = [
        {
            "test_row": int(r),
            "train_row": int(t),
            "jaccard": round(float(j), 3),
            "test_text": _show(ctx.split.test, int(r), cols),
            "train_text": _show(ctx.split.train, int(t), cols),
        }
        for r, t, j in zip(m.near[:5], m.near_partner[:5], m.near_jaccard[:5], strict=True)
    ]
    yield check.finding(
        f"{k:,} of {len(ctx.split.test):,} test records ({evidence['share_of_test']:.1%}) in "
        f"{', '.join(map(repr, cols))} are near copies of training records (shingle Jaccard >= {JACCARD:g}, "
        f"median {evidence['median_jaccard']:.2f}; {m.mu_near:.2g} expected by chance).",
        "Cluster near-identical texts (the evidence's pairs) and keep each cluster on one side of the "
        "split, or split by the document or source they come from.",
        evidence=evidence,
        columns=cols,
        severity=Severity.ERROR if exceeds else Severity.WARNING,
    )


def _clusters(m: TextMatches, n_codes: int) -> np.ndarray:
    """Connected component of every distinct text over the verified near pairs."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    graph = (
        coo_matrix((np.ones(len(m.pairs)), (m.pairs[:, 0], m.pairs[:, 1])), shape=(n_codes, n_codes))
        if len(m.pairs)
        else coo_matrix((n_codes, n_codes))
    )
    return connected_components(graph, directed=False)[1]


def text_group_leakage(check: Check, ctx: Context, alpha: float) -> Iterator[Finding]:
    """PF203 for text: clusters of exact and near copies that straddle the split."""
    from pitfall.checks.leakage.group_leakage import cluster_evidence, group_key_candidates
    from pitfall.findings import Severity
    from pitfall.stats import poisson_sf

    m = text_matches(ctx)
    k = len(m.exact) + len(m.near)
    mu = m.mu_exact + m.mu_near
    p = poisson_sf(k, mu)
    if k == 0 or p >= alpha:
        return
    n_train = len(ctx.split.train)
    comp = _clusters(m, int(m.codes.max()) + 1)[m.codes]
    copied = np.concatenate([m.exact, m.near]) + n_train
    wanted = np.unique(comp[copied])
    rows = np.flatnonzero(np.isin(comp, wanted))
    split = (rows >= n_train).astype(np.int64)
    members = pd.DataFrame({"cluster": comp[rows], "split": split, "row": np.where(split == 1, rows - n_train, rows)})
    both = members.groupby("cluster")["split"].agg(["min", "max"])
    members = members[members["cluster"].isin(both.index[(both["min"] == 0) & (both["max"] == 1)])]
    if members.empty:
        return
    sizes = members.groupby("cluster").size()
    modality = set(ctx.split.roles.modality)
    candidates = [c for c in group_key_candidates(ctx, members) if c not in modality]
    if not candidates and sizes.median() < 3:
        return  # copies in pairs without a key: PF201/PF202 say all there is to say
    test_rows = int((members["split"] == 1).sum())
    share = test_rows / len(ctx.split.test)
    hint = f" Column {candidates[0]!r} is constant within them: pass `--group {candidates[0]}`." if candidates else ""
    yield check.finding(
        f"{len(sizes):,} clusters of near-identical texts (median {sizes.median():g} records each) straddle "
        f"the split and hold {test_rows:,} test records ({share:.1%}): likely several versions of the same "
        f"documents.{hint}",
        "Find the document or source each record comes from and split by it (`--split group --group ID`); "
        "without an identifier, use the clusters as groups.",
        evidence=cluster_evidence(sizes, test_rows, share, mu, p, candidates, modality="text", method=m.method()),
        columns=tuple(candidates[:1]) or ctx.split.roles.text,
        severity=Severity.WARNING,
    )
