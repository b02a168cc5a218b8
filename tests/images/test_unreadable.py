"""PF107: unreadable image files are listed, never a crash, and the other checks go on."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pitfall import scan

from .synth import placed_folder, save, smooth_field


def test_missing_corrupt_and_empty_files_are_listed(tmp_path):
    root = placed_folder(tmp_path / "imgs", 40, seed=0)
    (root / "left" / "corrupt.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 40)
    (root / "right" / "empty.jpg").write_bytes(b"")
    report = scan(root, select=["PF107", "PF201", "PF202", "PF301", "PF401"])
    assert report.crashed == {}
    f = next(f for f in report.findings if f.code == "PF107")
    ev = f.evidence
    assert ev["count"] == 2 and ev["n_images"] == 82 and sum(ev["by_split"].values()) == 2
    assert {e["path"] for e in ev["examples"]} == {"left/corrupt.png", "right/empty.jpg"}
    assert all(e["reason"].startswith("cannot decode") for e in ev["examples"])
    assert f.columns == ("path",) and f.severity.value == "warning"
    assert "scores" in report.metrics  # the model was fitted and scored around the bad files


def test_paths_in_a_csv_that_point_nowhere(tmp_path):
    rng = np.random.default_rng(0)
    rows = [(save(tmp_path / "img", f"{i}", smooth_field(rng, 16)).name, i % 2) for i in range(30)]
    frame = pd.DataFrame(rows, columns=["file", "y"])
    frame["file"] = "img/" + frame["file"]
    frame.loc[3, "file"] = "img/gone.png"
    frame.loc[4, "file"] = None
    frame.to_csv(tmp_path / "data.csv", index=False)
    report = scan(tmp_path / "data.csv", target="y", image="file", select=["PF107"])
    ev = report.findings[0].evidence
    assert ev["count"] == 2 and ev["reasons"] == {"file not found": 1, "no path": 1}


def test_readable_files_give_no_finding(tmp_path):
    root = placed_folder(tmp_path / "imgs", 15, seed=1)
    assert scan(root, select=["PF107"]).findings == []
