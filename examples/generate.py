"""Generate the bundled example projects (deterministic; run `python examples/generate.py`).

``galaxies/``: a galaxy-morphology catalogue with the pitfalls astronomers meet:
  - several exposures of each galaxy, split at random, so the same galaxy is in train and test
    (PF202 near duplicates, PF203 inferred groups, with ``galaxy_id`` left among the features);
  - ``catalog_class``, a column copied from a later catalogue release that encodes the label
    (PF205 target leakage);
  - a rare class (``merger``, about 4% of galaxies; PF402 notes it);
  - ``redshift`` missing for 3% of exposures, written ``"n/a"`` (a standard missing-value
    marker: pitfall reads it as missing, so it is not a finding; PF105 reports placeholders
    that pandas would keep as text, such as ``"?"``);
  - ``object_id``, a row identifier (declared with ``--id`` in the demo).
``galaxies_clean/``: the same survey done right: one row per galaxy, no leaky column, numeric
redshift, split by galaxy. Scanning it must give no errors.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
CLASSES = np.array(["elliptical", "spiral", "merger"])


def galaxies(n_galaxies: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """One row per galaxy: photometry and shape that depend on morphology, with real overlap."""
    rng = np.random.default_rng(seed)
    cls = rng.choice(3, size=n_galaxies, p=[0.48, 0.48, 0.04])
    redshift = rng.gamma(2.0, 0.05, n_galaxies)
    mag_r = 17.5 + 2.5 * np.log10(1 + 20 * redshift) + rng.normal(0, 0.6, n_galaxies)
    # ellipticals are red and concentrated, spirals blue and extended, mergers disturbed
    colour_gr = np.choose(cls, [0.95, 0.62, 0.75]) + rng.normal(0, 0.14, n_galaxies)
    colour_ug = np.choose(cls, [1.9, 1.4, 1.6]) + rng.normal(0, 0.25, n_galaxies)
    concentration = np.choose(cls, [3.1, 2.4, 2.6]) + rng.normal(0, 0.35, n_galaxies)
    ellipticity = np.clip(np.choose(cls, [0.2, 0.45, 0.35]) + rng.normal(0, 0.15, n_galaxies), 0, 0.95)
    asymmetry = np.abs(np.choose(cls, [0.05, 0.12, 0.35]) + rng.normal(0, 0.08, n_galaxies))
    radius = np.exp(np.choose(cls, [1.2, 1.6, 1.5]) + rng.normal(0, 0.35, n_galaxies))
    frame = pd.DataFrame(
        {
            "galaxy_id": np.arange(100_000, 100_000 + n_galaxies),
            "ra": rng.uniform(120, 240, n_galaxies),
            "dec": rng.uniform(-5, 60, n_galaxies),
            "mag_u": mag_r + colour_ug + colour_gr,
            "mag_g": mag_r + colour_gr,
            "mag_r": mag_r,
            "mag_i": mag_r - 0.4 * colour_gr + rng.normal(0, 0.05, n_galaxies),
            "petro_radius": radius,
            "concentration": concentration,
            "ellipticity": ellipticity,
            "asymmetry": asymmetry,
            "redshift": redshift,
        }
    )
    return frame, cls


def exposures(frame: pd.DataFrame, rng: np.random.Generator, views: np.ndarray) -> pd.DataFrame:
    """Repeat each galaxy ``views[i]`` times with small measurement noise (several exposures)."""
    rows = frame.loc[frame.index.repeat(views)].reset_index(drop=True)
    noise = {
        "mag_u": 0.03,
        "mag_g": 0.02,
        "mag_r": 0.02,
        "mag_i": 0.02,
        "petro_radius": 0.03,
        "concentration": 0.02,
        "ellipticity": 0.01,
        "asymmetry": 0.01,
        "ra": 1e-5,
        "dec": 1e-5,
    }
    for col, sd in noise.items():
        rows[col] = rows[col] + rng.normal(0, sd, len(rows))
    return rows


def planted(seed: int = 3) -> tuple[pd.DataFrame, pd.DataFrame]:
    frame, cls = galaxies(2000, seed)
    rng = np.random.default_rng(seed + 1)
    frame["morphology"] = CLASSES[cls]
    # a later catalogue release's class code: the label itself, with 0.5% disagreement
    code = np.array(["E", "S", "M"])[cls]
    flip = rng.random(len(code)) < 0.005
    code[flip] = rng.choice(["E", "S", "M"], size=int(flip.sum()))
    frame["catalog_class"] = code
    rows = exposures(frame, rng, rng.integers(2, 5, len(frame)))
    rows = rows.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    rows.insert(0, "object_id", np.arange(1, len(rows) + 1))
    red = rows["redshift"].map(lambda z: f"{z:.4f}").astype(object)
    red[rng.random(len(rows)) < 0.03] = "n/a"
    rows["redshift"] = red
    cut = int(0.75 * len(rows))  # a random split of exposures: the pitfall
    return rows.iloc[:cut], rows.iloc[cut:]


def clean(seed: int = 11) -> tuple[pd.DataFrame, pd.DataFrame]:
    frame, cls = galaxies(4000, seed)
    frame["morphology"] = CLASSES[cls]
    frame.insert(0, "object_id", np.arange(1, len(frame) + 1))
    order = np.random.default_rng(seed).permutation(len(frame))
    frame = frame.iloc[order].reset_index(drop=True)
    cut = int(0.75 * len(frame))  # one row per galaxy, so a random split is a split by galaxy
    return frame.iloc[:cut], frame.iloc[cut:]


def write(folder: str, parts: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    out = HERE / folder
    out.mkdir(exist_ok=True)
    for name, part in zip(("train", "test"), parts, strict=True):
        part.to_csv(out / f"{name}.csv", index=False, float_format="%.5f")


def main() -> None:
    write("galaxies", planted())
    write("galaxies_clean", clean())
    print(f"wrote {HERE / 'galaxies'} and {HERE / 'galaxies_clean'}")


if __name__ == "__main__":
    main()
