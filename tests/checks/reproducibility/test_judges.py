"""PF701 and PF702 fire on planted differences with their evidence and stay silent on clean re-runs."""

from pitfall.checks.registry import CHECKS
from pitfall.checks.reproducibility.result_not_reproduced import ResultNotReproduced
from pitfall.checks.reproducibility.unrecorded_input import UnrecordedRunInput

CI = {
    "scores.values.model": {"estimate": 0.80, "low": 0.76, "high": 0.84},
    "scores.values.majority": {"estimate": 0.5, "low": 0.5, "high": 0.5},
}
FINDING = {"code": "PF402", "columns": [], "severity": "info", "message": "m"}


def test_rerun_checks_are_left_out_of_scan():
    for code in ("PF701", "PF702"):
        assert CHECKS[code].command() == "rerun"


def test_pf701_silent_when_every_estimate_is_inside_its_interval():
    now = {"scores.values.model": {"estimate": 0.83}, "scores.values.majority": {"estimate": 0.5}}
    assert (
        ResultNotReproduced().judge(recorded=CI, now=now, recorded_findings=[FINDING], new_findings=[dict(FINDING)])
        == []
    )


def test_pf701_fires_on_a_metric_outside_its_interval():
    now = {"scores.values.model": {"estimate": 0.74}, "scores.values.majority": {"estimate": 0.5}}
    [f] = ResultNotReproduced().judge(recorded=CI, now=now, recorded_findings=[], new_findings=[])
    assert f.code == "PF701" and f.severity.value == "error"
    assert f.evidence["moved"] == [
        {"metric": "scores.values.model", "recorded": CI["scores.values.model"], "now": 0.74}
    ]
    assert "1 of 2 metrics moved outside their recorded 95% CI" in f.message
    assert "0.800 [0.760, 0.840] → 0.740" in f.message


def test_pf701_fires_when_a_finding_appears_or_disappears():
    now = {k: {"estimate": v["estimate"]} for k, v in CI.items()}
    leak = {"code": "PF201", "columns": [], "severity": "error", "message": "dup"}
    [f] = ResultNotReproduced().judge(recorded=CI, now=now, recorded_findings=[FINDING], new_findings=[leak])
    assert f.evidence["appeared"] == [leak] and f.evidence["disappeared"] == [FINDING]
    assert "appeared: PF201" in f.message and "disappeared: PF402" in f.message


def test_pf702_each_kind_and_silence():
    check = UnrecordedRunInput()
    assert check.judge(changed_data=[], missing_seeds={}, disagreement=None) == []
    assert check.judge(changed_data=[], missing_seeds={}, disagreement={"n": 100, "disagree": 0}) == []
    found = check.judge(
        changed_data=[{"role": "test", "path": "test.csv", "recorded_rows": 100, "rows": 90}],
        missing_seeds={"random_state": None},
        disagreement={"n": 200, "disagree": 9},
    )
    assert [f.evidence["kind"] for f in found] == ["data-changed", "not-deterministic"]
    assert all(f.severity.value == "warning" for f in found)
    assert "test.csv (100 → 90 rows)" in found[0].message
    assert "disagree on 9 of 200 test rows (4.5%); the model's random_state is None" in found[1].message
    # an unused random_state=None (deterministic fit) is not a finding
    assert (
        check.judge(changed_data=[], missing_seeds={"random_state": None}, disagreement={"n": 200, "disagree": 0}) == []
    )
