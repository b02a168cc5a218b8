"""A store filled like a served model's: daily items routed by the real policy, audits reviewed against a true label.

Records are (x1, x2, note). The true label is ``dog`` when x1 (plus noise) is positive, the rule the model learnt; from
``concept_from`` on it follows x2 instead, so the model's automatic labels are wrong about half the time there. From
``drift_from`` on, x1 is shifted, which moves the records (PF501) and the model's predictions (PF504).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import sqlalchemy as sa

from pitfall.deploy.routing import Policy, decide
from pitfall.deploy.store import Store, items

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday: 1d windows start 2026-11-02, -03, ...
ROUTING = Policy(accept=0.9, review=0.6, audit_rate=0.5, audit_seed=7)


def reference_frame(n: int = 600, seed: int = 100) -> pd.DataFrame:
    """Training data like the model's: x1, x2 standard normal, a note and the label."""
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    label = np.where(x1 + 0.3 * rng.normal(size=n) > 0, "dog", "cat")
    return pd.DataFrame({"x1": x1, "x2": x2, "label": label})


def fill_store(
    store: Store,
    model,
    *,
    days: int = 4,
    per_day: int = 200,
    drift_from: int | None = None,
    concept_from: int | None = None,
    shift: float = 1.5,
    seed: int = 0,
    version: str = "v1",
    reviewer: str = "alice",
) -> dict:
    """Serve ``days`` days of items, set their times, and review every audited item (and half the others routed to
    people) with the true label. Returns counts to compare with the monitor's."""
    if store.get_model(version) is None:
        store.add_model(version, sha256="0" * 64, classes=[str(c) for c in model.classes_], promoted=True)
    rng = np.random.default_rng(seed)
    truth = {"audited": 0, "audit_correct": 0, "per_day": []}
    for day in range(days):
        x1 = rng.normal(size=per_day) + (shift if drift_from is not None and day >= drift_from else 0.0)
        x2 = rng.normal(size=per_day)
        frame = pd.DataFrame({"x1": x1, "x2": x2})
        proba = model.predict_proba(frame)
        noise = 0.3 * rng.normal(size=per_day)
        rule = x2 if concept_from is not None and day >= concept_from else x1
        true = np.where(rule + noise > 0, "dog", "cat")
        rows = []
        for i in range(per_day):
            k = int(proba[i].argmax())
            label, conf = str(model.classes_[k]), float(proba[i, k])
            record = {"x1": float(x1[i]), "x2": float(x2[i]), "note": f"day {day}"}
            item_id = str(uuid.UUID(int=(seed << 64) + (day << 32) + i))
            routed = decide(label, conf, record, ROUTING, item_id=item_id)
            rows.append(
                {
                    "id": item_id,
                    "record": record,
                    "label": label,
                    "confidence": conf,
                    "decision": routed.decision,
                    "reason": routed.reason,
                }
            )
        ids = store.add_items(version, rows)
        when = START + timedelta(days=day)
        with store.engine.begin() as conn:
            conn.execute(sa.update(items).where(items.c.id.in_(ids)).values(created_at=when))
        day_truth = {"n": per_day, "audited": 0, "audit_correct": 0}
        for i, row in enumerate(rows):
            is_audit = row["reason"] == "audit"
            if is_audit or (row["decision"] in ("review", "abstain") and i % 2 == 0):
                right = row["label"] == true[i]
                store.add_review(row["id"], reviewer, "accept" if right else "correct", None if right else true[i])
                if is_audit:
                    day_truth["audited"] += 1
                    day_truth["audit_correct"] += int(right)
        truth["audited"] += day_truth["audited"]
        truth["audit_correct"] += day_truth["audit_correct"]
        truth["per_day"].append(day_truth)
    return truth
