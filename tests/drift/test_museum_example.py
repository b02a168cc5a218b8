"""The museum-tickets example: reproducible, and its planted drift does what the README says."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from pitfall.checks.drift.performance import Calibrator
from pitfall.metrics import METRICS

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
COMMITTED = EXAMPLES / "museum_tickets"


def load_generator():
    spec = importlib.util.spec_from_file_location("generate_museum", EXAMPLES / "generate_museum.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("museum")
    gen = load_generator()
    gen.generate(out)
    return gen, out


@pytest.fixture(scope="module")
def weekly(generated):
    """Per week of current data: (realised, estimated interval) of accuracy and balanced accuracy."""
    gen, out = generated
    model = joblib.load(out / "model.joblib")
    ref = pd.read_csv(COMMITTED / "reference.csv")
    cur = pd.read_csv(COMMITTED / "current.csv", parse_dates=["purchased_at"])
    cal = Calibrator().fit(model.predict_proba(ref[gen.FEATURES]), ref["no_show"].to_numpy())
    proba = model.predict_proba(cur[gen.FEATURES])
    week = ((cur["purchased_at"] - gen.CURRENT_START) // pd.Timedelta(days=7)).to_numpy()
    rows = []
    for w in range(gen.WEEKS):
        sel = week == w
        y, p = cur["no_show"].to_numpy()[sel], proba[sel]
        rows.append(
            {
                metric: (METRICS[metric](y, p.argmax(axis=1)), cal.estimate(p, metric, seed=w))
                for metric in ("accuracy", "balanced_accuracy")
            }
        )
    return gen, rows


def test_regenerating_gives_the_committed_files(generated):
    _, out = generated
    for name in ("reference.csv", "current.csv"):
        assert (out / name).read_bytes() == (COMMITTED / name).read_bytes(), f"{name} differs: rerun the generator"
    size = sum((COMMITTED / name).stat().st_size for name in ("reference.csv", "current.csv"))
    assert size < 3_000_000


def test_lead_time_moves_after_the_app_launch(generated):
    gen, _ = generated
    ref = pd.read_csv(COMMITTED / "reference.csv")
    cur = pd.read_csv(COMMITTED / "current.csv", parse_dates=["purchased_at"])
    before = cur[cur["purchased_at"] < gen.APP_LAUNCH]
    late = cur[cur["purchased_at"] >= gen.APP_LAUNCH + pd.Timedelta(days=7)]
    assert ref["lead_time_hours"].median() > 48 and before["lead_time_hours"].median() > 48
    assert late["lead_time_hours"].median() < 2
    assert stats.ks_2samp(ref["lead_time_hours"], late["lead_time_hours"]).statistic > 0.6
    assert stats.ks_2samp(ref["lead_time_hours"], before["lead_time_hours"]).statistic < 0.05  # no drift before
    # what decides no_show does not change: the label rate moves only with the rows' lead times
    short = 3.0
    for frame in (ref, late):
        assert frame.loc[frame["lead_time_hours"] < short, "no_show"].mean() == pytest.approx(0.4, abs=0.05)


def test_the_estimate_tracks_the_realised_drop(weekly):
    gen, rows = weekly
    launch_week = int((gen.APP_LAUNCH - gen.CURRENT_START) / pd.Timedelta(days=7))
    for metric in ("accuracy", "balanced_accuracy"):
        real = np.array([r[metric][0] for r in rows])
        est = np.array([r[metric][1].estimate for r in rows])
        real_drop = real[:launch_week].mean() - real[launch_week + 1 :].mean()
        est_drop = est[:launch_week].mean() - est[launch_week + 1 :].mean()
        assert real_drop > 0.12, metric  # the planted drop is real
        assert est_drop == pytest.approx(real_drop, abs=0.04), metric
        # nominal 95% per week: P(covers <= 5 of 8) = 0.6%
        covers = sum(r[metric][1].low <= r[metric][0] <= r[metric][1].high for r in rows)
        assert covers >= 6, (metric, covers)
