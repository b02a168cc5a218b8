"""Every branch of routing: thresholds, per-label overrides, safety rules, audit sampling, bad input."""

from __future__ import annotations

import pytest

from pitfall.deploy.routing import Decision, Policy, SafetyRule, audit_selected, decide

BASE = Policy(accept=0.9, review=0.5)


@pytest.mark.parametrize(
    ("confidence", "expected"),
    [(0.95, "auto"), (0.9, "auto"), (0.89, "review"), (0.5, "review"), (0.49, "abstain"), (0.0, "abstain")],
)
def test_global_thresholds(confidence, expected):
    got = decide("cat", confidence, {}, BASE)
    assert got.decision == expected
    assert got.label == "cat"
    assert "global" in got.reason


def test_per_label_thresholds_override_global():
    policy = Policy(accept=0.9, review=0.5, per_label={"dog": (0.99, 0.8)})
    assert decide("dog", 0.95, {}, policy).decision == "review"
    assert decide("dog", 0.7, {}, policy).decision == "abstain"
    assert "label accept" in decide("dog", 0.995, {}, policy).reason
    assert decide("cat", 0.95, {}, policy).decision == "auto"


def test_never_rule_blocks_and_withholds_label_at_any_confidence():
    policy = Policy(accept=0.9, review=0.5, safety=[SafetyRule("nsfw", "never")])
    for confidence in (0.0, 0.6, 1.0):
        got = decide("nsfw", confidence, {"source": "x"}, policy)
        assert got == Decision("blocked", got.reason, None)
        assert got.reason.startswith("safety:") and "never" in got.reason
    assert decide("cat", 0.95, {}, policy).decision == "auto"


def test_review_rule_caps_auto_but_keeps_abstain():
    policy = Policy(accept=0.9, review=0.5, safety=[SafetyRule("tumour", "review")])
    got = decide("tumour", 0.99, {}, policy)
    assert (got.decision, got.label) == ("review", "tumour")
    assert "always goes to review" in got.reason
    assert decide("tumour", 0.7, {}, policy).decision == "review"
    assert decide("tumour", 0.2, {}, policy).decision == "abstain"


def test_when_matches_fields_exactly_case_insensitive():
    rule = SafetyRule("nsfw", "never", when={"Source": "Minors"})
    policy = Policy(accept=0.9, review=0.5, safety=[rule])
    assert decide("nsfw", 0.99, {"Source": "minors"}, policy).decision == "blocked"
    assert decide("nsfw", 0.99, {"Source": " MINORS "}, policy).decision == "blocked"
    assert decide("nsfw", 0.99, {"Source": "minors-archive"}, policy).decision == "auto"  # exact, not substring
    assert decide("nsfw", 0.99, {"source": "minors"}, policy).decision == "auto"  # field names are exact
    assert decide("nsfw", 0.99, {}, policy).decision == "auto"  # missing field: rule does not match
    assert decide("nsfw", 0.99, {"Source": None}, policy).decision == "auto"


def test_when_with_several_fields_needs_all_and_compares_as_strings():
    rule = SafetyRule("flag", "review", when={"site": "a", "year": "2020"})
    policy = Policy(accept=0.9, review=0.5, safety=[rule])
    assert decide("flag", 0.99, {"site": "A", "year": 2020}, policy).decision == "review"
    assert decide("flag", 0.99, {"site": "A", "year": 2021}, policy).decision == "auto"


def test_never_wins_over_review_rule():
    policy = Policy(
        accept=0.9, review=0.5, safety=[SafetyRule("x", "review"), SafetyRule("x", "never", when={"k": "v"})]
    )
    assert decide("x", 0.99, {"k": "v"}, policy).decision == "blocked"
    assert decide("x", 0.99, {"k": "w"}, policy).decision == "review"


def test_audit_sends_a_deterministic_share_of_auto_items_to_review():
    policy = Policy(accept=0.9, review=0.5, audit_rate=0.02, audit_seed=7)
    ids = [f"item-{i}" for i in range(20_000)]
    first = [decide("cat", 0.99, {}, policy, item_id=i) for i in ids]
    again = [decide("cat", 0.99, {}, policy, item_id=i) for i in ids]
    assert first == again
    audited = [d for d in first if d.decision == "review"]
    assert all(d.reason == "audit" and d.label == "cat" for d in audited)
    # Binomial(20000, 0.02): mean 400, sd 19.8; +-5 sd.
    assert 300 < len(audited) < 500
    other_seed = Policy(accept=0.9, review=0.5, audit_rate=0.02, audit_seed=8)
    changed = sum(decide("cat", 0.99, {}, other_seed, item_id=i) != d for i, d in zip(ids, first, strict=True))
    assert changed > 0


def test_audit_only_touches_would_be_auto_items():
    policy = Policy(accept=0.9, review=0.5, audit_rate=1.0, safety=[SafetyRule("b", "never")])
    assert decide("a", 0.99, {}, policy, item_id="1").reason == "audit"
    assert decide("a", 0.7, {}, policy, item_id="1").reason != "audit"
    assert decide("a", 0.1, {}, policy, item_id="1").decision == "abstain"
    assert decide("b", 0.99, {}, policy, item_id="1").decision == "blocked"


def test_audit_without_item_id_hashes_the_record():
    policy = Policy(accept=0.9, review=0.5, audit_rate=0.5)
    outcomes = {decide("a", 0.99, {"i": i}, policy).decision for i in range(64)}
    assert outcomes == {"auto", "review"}
    assert decide("a", 0.99, {"i": 3, "j": 1}, policy) == decide("a", 0.99, {"j": 1, "i": 3}, policy)


def test_audit_selected_edges():
    assert not audit_selected("x", 0.0)
    assert audit_selected("x", 1.0)


@pytest.mark.parametrize("confidence", [-0.1, 1.1, float("nan"), float("inf"), "0.9", None, True])
def test_bad_confidence_raises(confidence):
    with pytest.raises(ValueError, match="confidence must be"):
        decide("cat", confidence, {}, BASE)


def test_bad_label_raises():
    with pytest.raises(ValueError, match="label must be"):
        decide("", 0.9, {}, BASE)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"accept": 0.5, "review": 0.9}, "review must be <= accept"),
        ({"accept": 1.5, "review": 0.5}, "accept must be a number"),
        ({"accept": 0.9, "review": 0.5, "per_label": {"x": (0.4, 0.6)}}, r"per_label\['x'\] review"),
        ({"accept": 0.9, "review": 0.5, "per_label": {"x": (0.4,)}}, "must be \\(accept, review\\)"),
        ({"accept": 0.9, "review": 0.5, "audit_rate": 2.0}, "audit_rate"),
    ],
)
def test_bad_policy_raises(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Policy(**kwargs)


def test_bad_safety_rule_raises():
    with pytest.raises(ValueError, match="action must be one of"):
        SafetyRule("x", "maybe")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="label must be"):
        SafetyRule("", "never")
