"""Generate the museum-tickets drift example (deterministic; run `python examples/generate_museum.py`).

``museum_tickets/`` holds ticket sales of a museum with timed entry, and whether the visitors came:
  - ``reference.csv``: eight weeks of sales (2 March to 26 April 2026), the data the model was
    validated on;
  - ``current.csv``: the next eight weeks (27 April to 21 June 2026). On 25 May the museum launches
    a mobile app, and from then on most tickets are bought about an hour before the visit instead
    of days ahead (``lead_time_hours``);
  - ``model.joblib``: a scikit-learn Pipeline predicting ``no_show``, fitted on a separate sample
    drawn like the reference (not committed: this script writes it).

What decides ``no_show`` never changes (no concept drift): for tickets bought days ahead, the
weather forecast for the visit day, membership, price, party size and the kind of ticket predict it well;
for tickets bought a few hours ahead the visitor has already decided, and whether they make their
entry slot is close to a coin toss (40%). Reference sales include some same-day tickets, so the
model knows that region; after the launch most rows move there and the model's accuracy drops,
which a confidence-based estimate sees without labels.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
OUT = HERE / "museum_tickets"

REFERENCE_START = pd.Timestamp("2026-03-02")
CURRENT_START = pd.Timestamp("2026-04-27")
APP_LAUNCH = pd.Timestamp("2026-05-25")
WEEKS = 8
ROWS_PER_WEEK = 1400
APP_SHARE = 0.85  # share of tickets bought in the app once it is established
APP_ADOPTION_DAYS = 3.0  # time constant of the app's uptake after the launch

WEATHER = np.array(["sunny", "cloudy", "rain"])
TICKETS = np.array(["general", "exhibition", "family"])
WEEKDAYS = np.array(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"])
PRICE_PER_PERSON = {"general": 18.0, "exhibition": 26.0, "family": 14.0}
FEATURES = ["lead_time_hours", "party_size", "ticket_type", "member", "weekday", "weather", "price"]
CATEGORICAL = ["ticket_type", "weekday", "weather"]


def tickets(start: pd.Timestamp, seed: int, *, app_launch: pd.Timestamp | None = None) -> pd.DataFrame:
    """Eight weeks of ticket sales from ``start``, sorted by purchase time, with ``no_show``."""
    rng = np.random.default_rng(seed)
    n = WEEKS * ROWS_PER_WEEK
    day = rng.integers(0, 7 * WEEKS, size=n)
    minute = (7 * 60 + rng.beta(2.2, 2.5, size=n) * 16 * 60).astype(int)  # sales from 7:00 to 23:00
    purchased = start + pd.to_timedelta(day, unit="D") + pd.to_timedelta(minute, unit="min")

    # lead time: days ahead on the website (with some same-day tickets), about an hour in the app
    web = np.where(
        rng.random(n) < 0.15,
        rng.lognormal(np.log(2.5), 0.7, size=n),
        rng.lognormal(np.log(72.0), 0.8, size=n),
    )
    app = rng.lognormal(np.log(1.0), 0.5, size=n)
    share = np.zeros(n)
    if app_launch is not None:
        days_since = np.asarray((purchased - app_launch) / pd.Timedelta(days=1))
        share = np.where(days_since >= 0, APP_SHARE * (1 - np.exp(-days_since / APP_ADOPTION_DAYS)), 0.0)
    lead = np.where(rng.random(n) < share, app, web)
    lead = np.round(np.clip(lead, 0.2, 24 * 30), 1)

    visit = (purchased + pd.to_timedelta(lead, unit="h")).normalize()
    ticket_type = TICKETS[rng.choice(3, size=n, p=[0.6, 0.25, 0.15])]
    extra = np.where(ticket_type == "family", 2, 0)
    party_size = np.minimum(1 + extra + rng.poisson(np.where(ticket_type == "family", 1.0, 0.7)), 8)
    member = (rng.random(n) < 0.2).astype(int)
    weekend = np.asarray(visit.day_of_week >= 5)
    per_person = np.array([PRICE_PER_PERSON[t] for t in ticket_type]) + 2.0 * weekend
    price = np.round(per_person * party_size * np.where(member == 1, 0.5, 1.0) * 2) / 2
    sky = WEATHER[rng.choice(3, size=n, p=[0.35, 0.4, 0.25])]  # forecast for the visit day, seen at purchase

    # P(no_show | features): the same function in every file
    certainty = np.clip((np.log(lead) - np.log(3.0)) / (np.log(48.0) - np.log(3.0)), 0.0, 1.0)
    planned = (
        -1.6
        + 2.6 * (sky == "sunny")
        - 2.2 * (sky == "rain")
        + 2.0 * member
        - 1.5 * (ticket_type == "exhibition")
        + 0.4 * (party_size - 2)
        - 0.05 * (price - 40)
        - 0.8 * weekend
    )
    logit = certainty * planned + (1 - certainty) * np.log(0.4 / 0.6)
    no_show = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)

    frame = pd.DataFrame(
        {
            "purchased_at": purchased,
            "lead_time_hours": lead,
            "party_size": party_size,
            "ticket_type": ticket_type,
            "member": member,
            "weekday": WEEKDAYS[np.asarray(visit.day_of_week)],
            "weather": sky,
            "price": price,
            "no_show": no_show,
        }
    )
    return frame.sort_values("purchased_at", kind="stable").reset_index(drop=True)


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Fixed formatting and line endings, so the file is byte-identical on every platform."""
    out = frame.copy()
    out["purchased_at"] = out["purchased_at"].dt.strftime("%Y-%m-%d %H:%M")
    out["lead_time_hours"] = out["lead_time_hours"].map("{:.1f}".format)
    out["price"] = out["price"].map("{:.1f}".format)
    out.to_csv(path, index=False, lineterminator="\n")


def fit_model(seed: int = 10):
    """HistGradientBoosting on one-hot categories, fitted on a sample drawn like the reference."""
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder
    from threadpoolctl import threadpool_limits

    train = tickets(REFERENCE_START, seed)
    encode = ColumnTransformer(
        [
            ("categories", OneHotEncoder(handle_unknown="ignore", sparse_output=False), CATEGORICAL),
            ("numbers", "passthrough", [c for c in FEATURES if c not in CATEGORICAL]),
        ]
    )
    model = HistGradientBoostingClassifier(
        max_iter=100,
        learning_rate=0.1,
        max_leaf_nodes=8,
        min_samples_leaf=100,
        early_stopping=False,
        random_state=0,
    )
    with threadpool_limits(limits=1):  # a small fit: threads only add overhead on a busy machine
        return Pipeline([("encode", encode), ("model", model)]).fit(train[FEATURES], train["no_show"])


def generate(out_dir: Path = OUT, *, model: bool = True) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    write_csv(tickets(REFERENCE_START, 1), out_dir / "reference.csv")
    write_csv(tickets(CURRENT_START, 2, app_launch=APP_LAUNCH), out_dir / "current.csv")
    if model:
        import joblib

        joblib.dump(fit_model(), out_dir / "model.joblib")


if __name__ == "__main__":
    generate(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
    print(f"wrote {sys.argv[1] if len(sys.argv) > 1 else OUT}")
