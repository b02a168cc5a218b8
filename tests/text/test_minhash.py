"""MinHash/LSH near-duplicate search against brute force on records small enough to compare all pairs."""

from __future__ import annotations

import itertools

import numpy as np

from pitfall.data.minhash import JACCARD, content_keys, near_pairs, normalise, shingle_hashes
from tests.text.synthetic import language_id


def _brute_force(norm: np.ndarray) -> set[tuple[int, int]]:
    hashes, offsets = shingle_hashes(norm, words=False)
    sets = [set(hashes[offsets[i] : offsets[i + 1]].tolist()) for i in range(len(norm))]
    out = set()
    for i, j in itertools.combinations(range(len(norm)), 2):
        if norm[i] != norm[j] and sets[i] and sets[j] and len(sets[i] & sets[j]) / len(sets[i] | sets[j]) >= JACCARD:
            out.add((i, j))
    return out


def test_normalise_ignores_case_spacing_and_punctuation_but_not_accents():
    norm = normalise(["  Hello,   WORLD!! ", "hello world", "Héllo world", None])
    assert norm[0] == norm[1] == "hello world"
    assert norm[2] != norm[1]
    assert norm[3] == ""
    keys = content_keys(norm)
    assert keys[0] == keys[1] != keys[2]


def test_near_pairs_match_brute_force_on_edited_records():
    rng = np.random.default_rng(3)
    texts = list(language_id(3, n=300, low=8, high=16)["text"])
    for _ in range(40):  # one- to three-character edits of random records
        t = texts[int(rng.integers(300))]
        for _ in range(int(rng.integers(1, 4))):
            i = int(rng.integers(len(t)))
            t = t[:i] + "q" + t[i + 1 :]
        texts.append(t)
    norm = normalise(texts)
    truth = _brute_force(norm)
    found = near_pairs(norm, seed=0)
    got = {tuple(sorted(p)) for p in found.pairs.tolist()}
    assert len(truth) >= 20  # the edits made near duplicates to find
    assert got <= truth | {tuple(sorted(p)) for p in truth}  # verified: never a pair below the threshold
    assert len(got & truth) / len(truth) >= 0.95  # LSH recall at J >= 0.8 is 0.998 per pair
    assert (found.jaccard >= JACCARD).all()
    assert found.shingles == "character 5-grams"
    assert found.candidates < len(norm) * (len(norm) - 1) / 2 / 20  # far fewer than all pairs


def test_near_pairs_are_deterministic_and_use_word_shingles_for_documents():
    docs = language_id(5, n=60, low=40, high=60)["text"].to_numpy()
    edited = np.array([*docs, docs[0].replace(" ", "  ") + " extra"], dtype=object)
    a = near_pairs(normalise(edited), seed=1)
    b = near_pairs(normalise(edited), seed=1)
    assert a.shingles == "word 3-grams"
    assert a.pairs.tolist() == b.pairs.tolist() == [[0, 60]]


def test_records_shorter_than_a_shingle_and_empty_input():
    assert near_pairs(normalise([])).pairs.shape == (0, 2)
    found = near_pairs(normalise(["ab", "ab!", "a", ""]))
    assert found.pairs.shape == (0, 2)  # identical texts are collapsed, not near pairs
    hashes, offsets = shingle_hashes(normalise(["ab", "abcdef", ""]), words=False)
    assert offsets.tolist() == [0, 1, 3, 3]  # one shingle for a short record, none for an empty one
