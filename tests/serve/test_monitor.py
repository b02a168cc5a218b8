"""``pitfall.runners.monitor`` and PF603 on real stores: planted drift and wrong audits fire, clean stays silent."""

from __future__ import annotations

import json

import numpy as np
import pytest

pytest.importorskip("sqlalchemy")

from pitfall.checks.deployment.audit_accuracy import AuditAccuracyBelowTarget, AuditSample  # noqa: E402
from pitfall.cli.main import main  # noqa: E402
from pitfall.deploy.policy import Policy  # noqa: E402
from pitfall.deploy.store import Store  # noqa: E402
from pitfall.runners.monitor import MonitorContext, monitor  # noqa: E402
from tests.serve._monitor import fill_store, reference_frame  # noqa: E402
from tests.serve._review import fit_model  # noqa: E402

DAYS = ["2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05"]
POLICY = Policy(accept=0.9, review=0.6, target_accuracy=0.9)


@pytest.fixture(scope="module")
def model():
    return fit_model()


@pytest.fixture
def sqlite_store(tmp_path):
    s = Store(f"sqlite:///{tmp_path / 'serve.db'}")
    yield s
    s.close()


def test_planted_drift_and_wrong_audits_fire_with_their_windows(store, model):
    """On SQLite and PostgreSQL: x1 shifts and the label's rule changes from the third day on."""
    truth = fill_store(store, model, drift_from=2, concept_from=2)
    report = monitor(store, reference_frame(), model=model, policy=POLICY, window="1d", target="label")
    assert sorted(set(report.codes())) == ["PF501", "PF504", "PF603"]
    (feature,) = report.by_code("PF501")
    assert feature.columns == ("x1",)
    assert feature.evidence["windows_drifted"] == DAYS[2:]
    assert report.by_code("PF504")[0].evidence["windows_drifted"] == DAYS[2:]
    (audit,) = report.by_code("PF603")
    ev = audit.evidence
    assert (ev["n_audited"], ev["n_correct"]) == (truth["audited"], truth["audit_correct"])
    assert ev["windows_below"] == DAYS[2:] and ev["accuracy"].high < 0.9 and ev["binomial_p"] < ev["alpha_adjusted"]
    assert ev["samples_judged"] == 5 and ev["not_judged"] == []

    ops = report.metrics["monitor"]
    counts = store.counts()
    overall = ops["overall"]
    assert overall["n"] == counts["total"] == 800
    assert (overall["reviewed"], overall["pending"]) == (counts["reviewed"], counts["pending"])
    routed = counts["review"] + counts["abstain"] + counts["blocked"]
    assert overall["review_rate"] == pytest.approx(routed / counts["total"])
    assert [w["start"] for w in ops["windows"]] == DAYS
    for w, day in zip(ops["windows"], truth["per_day"], strict=True):
        assert w["n"] == day["n"]
        assert (w["audit"]["reviewed"], w["audit"]["correct"]) == (day["audited"], day["audit_correct"])
        assert sum(w["decisions"].values()) == w["n"]
    verdicts = [w["drift"] for w in ops["windows"]]
    assert [v["features_drifted"] for v in verdicts] == [[], [], ["x1"], ["x1"]]
    assert [v["prediction_drifted"] for v in verdicts] == [False, False, True, True]


def test_clean_store_has_no_findings(sqlite_store, model):
    fill_store(sqlite_store, model, seed=1)
    report = monitor(sqlite_store, reference_frame(), model=model, policy=POLICY, window="1d", target="label")
    assert report.findings == []
    assert report.crashed == {} and "PF603" not in report.skipped and "PF501" not in report.skipped
    assert all(w["drift"]["tested"] for w in report.metrics["monitor"]["windows"])


def test_too_few_audited_items_is_no_finding_and_says_so(sqlite_store, model):
    truth = fill_store(sqlite_store, model, days=2, per_day=30, concept_from=0)
    assert truth["audited"] < 30 and truth["audit_correct"] < truth["audited"]
    report = monitor(sqlite_store, policy=POLICY, window="1d")
    assert "PF603" not in report.codes()
    assert report.skipped["PF603"].startswith(f"too few audited items to judge: {truth['audited']} ")
    assert report.skipped["PF501"] == "needs a training reference (--reference)"


def test_without_target_accuracy_pf603_is_skipped(sqlite_store, model):
    fill_store(sqlite_store, model, days=1, concept_from=0)
    report = monitor(sqlite_store, policy=Policy(accept=0.9, review=0.6))
    assert report.codes() == [] and "target_accuracy" in report.skipped["PF603"]
    assert report.metrics["monitor"]["windows"] == []  # no --window: the whole period only


def _fires(correct: int, n: int, target: float) -> bool:
    ctx = MonitorContext(target, "policy", [AuditSample("all", None, None, n, correct)])
    return bool(list(AuditAccuracyBelowTarget().run(ctx)))


@pytest.mark.parametrize("target", [0.9, 0.95, 0.98])
def test_pf603_false_alarm_rate_at_the_target_is_within_its_level(target):
    """Audits whose true accuracy equals the target: the finding fires at most 2.5% of the time (one side of a 95%
    interval), at sizes where the Wilson bound alone fires up to 8%."""
    rng = np.random.default_rng(0)
    for n in (30, 50, 100, 300):
        draws = rng.binomial(n, target, size=2000)
        rate = np.mean([_fires(int(c), n, target) for c in draws])
        assert rate <= 0.025 + 3 * np.sqrt(0.025 * 0.975 / 2000), (n, rate)


def test_pf603_has_power_against_a_real_drop():
    rng = np.random.default_rng(1)
    draws = rng.binomial(100, 0.8, size=500)
    assert np.mean([_fires(int(c), 100, 0.95) for c in draws]) > 0.95


def test_cli_json_and_exit_codes(tmp_path, model, capsys):
    import joblib

    db = tmp_path / "serve.db"
    with Store(f"sqlite:///{db}") as s:
        truth = fill_store(s, model, drift_from=2, concept_from=2)
    reference_frame().to_csv(tmp_path / "train.csv", index=False)
    joblib.dump(model, tmp_path / "model.joblib")
    (tmp_path / "policy.toml").write_text("[thresholds]\naccept = 0.9\nreview = 0.6\ntarget_accuracy = 0.9\n")
    args = [
        "monitor",
        "--store",
        f"sqlite:///{db}",
        "--reference",
        str(tmp_path / "train.csv"),
        "--target",
        "label",
        "--model",
        str(tmp_path / "model.joblib"),
        "--trust-model",
        "--policy",
        str(tmp_path / "policy.toml"),
        "--window",
        "1d",
        "--format",
        "json",
        "--no-config",
    ]
    assert main(args) == 1
    data = json.loads(capsys.readouterr().out)
    assert {f["code"] for f in data["findings"]} == {"PF501", "PF504", "PF603"}
    pf603 = next(f for f in data["findings"] if f["code"] == "PF603")
    assert pf603["severity"] == "error" and pf603["evidence"]["n_audited"] == truth["audited"]
    assert [w["start"] for w in data["metrics"]["monitor"]["windows"]] == DAYS
    assert data["metrics"]["monitor"]["overall"]["n"] == 800 and "drift" in data["metrics"]
    assert data["inputs"]["policy"] == str(tmp_path / "policy.toml")
    assert main([*args, "--fail-on", "never"]) == 0
    capsys.readouterr()

    out = tmp_path / "monitor.html"
    assert main([*args[:-3], "--format", "html", "-o", str(out), "-q", "--no-config"]) == 1
    page = out.read_text()
    assert "PF603" in page
    # the per-window table and the interval charts, as on the service's monitoring page
    assert '<table id="windows">' in page and all(f"<td>{day}</td>" in page for day in DAYS)
    assert "Accuracy of automatic labels on the audit sample" in page and "Share sent to people" in page

    assert main(["monitor", "--store", f"sqlite:///{tmp_path / 'none.db'}"]) == 2
    assert "no such database file" in capsys.readouterr().err and not (tmp_path / "none.db").exists()
    assert main(["monitor", "--store", f"sqlite:///{db}", "--reference", str(tmp_path / "train.csv")]) == 2
    assert "lack column(s) 'label'" in capsys.readouterr().err


def test_cli_text_table_on_a_clean_store(tmp_path, model, capsys):
    db = tmp_path / "serve.db"
    with Store(f"sqlite:///{db}") as s:
        fill_store(s, model, days=2, seed=2)
    assert main(["monitor", "--store", f"sqlite:///{db}", "--no-config"]) == 0
    out = capsys.readouterr().out
    assert "2026-11-02" in out and "2026-11-03" in out and "audit accuracy" in out


def test_too_many_windows_is_a_config_error():
    import pandas as pd

    from pitfall.errors import ConfigError
    from pitfall.runners.monitor import operations

    times = pd.date_range("2026-11-02", periods=1001, freq="min")
    frame = pd.DataFrame(
        {
            "record": [{}] * 1001,
            "label": "a",
            "confidence": 0.9,
            "decision": "auto",
            "reason": "confident",
            "created_at": times,
            "final_action": None,
            "final_label": None,
        }
    )
    assert len(operations(frame, "1h")["windows"]) == 17
    with pytest.raises(ConfigError, match="more than 1000 windows"):
        operations(frame, "1min")
