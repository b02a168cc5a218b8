"""Records are written atomically, never changed, and bad ones are refused with one line (exit 2)."""

import json
import os

import pytest

from pitfall.records import store as store_module
from pitfall.records.store import RecordError, RunStore

from .conftest import SCAN, cli, record_scan, tree_hashes


def test_recorded_scan_has_manifest_report_and_index(project, capsys):
    run_id = record_scan(capsys)
    folder = project / ".pitfall" / "runs" / run_id
    assert sorted(p.name for p in folder.iterdir()) == ["manifest.json", "report.html", "report.json"]
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["command"] == "scan" and manifest["argv"][:3] == ["scan", "train.csv", "test.csv"]
    assert manifest["inputs"]["train"]["path"] == "train.csv" and manifest["inputs"]["train"]["rows"] == 300
    assert len(manifest["inputs"]["test"]["sha256"]) == 64 and manifest["inputs"]["test"]["rows_sha256"]
    assert manifest["seeds"] == {"seed": 0}
    assert manifest["composition"]["splits"]["train"]["rows"] == 300
    assert manifest["environment"]["packages"]["scikit-learn"]
    assert "balanced_accuracy" in manifest["metrics"]
    model = manifest["metrics"]["balanced_accuracy"]
    assert model["low"] <= model["estimate"] <= model["high"]
    assert (project / ".pitfall" / "runs.db").is_file()
    rows = RunStore(project).listing()
    assert [r["id"] for r in rows] == [run_id] and rows[0]["problem"] is None


def test_record_true_in_pyproject_records_without_the_flag(project, capsys):
    (project / "pyproject.toml").write_text("[tool.pitfall]\nrecord = true\n")
    rc, _, err = cli(
        capsys,
        *SCAN,
        "--select",
        "PF101",
        "-q",
        "--format",
        "json",
        "-o",
        "r.json",
    )
    assert rc == 0 and "Run recorded: " in err
    rc, _, err = cli(
        capsys,
        *SCAN,
        "--select",
        "PF101",
        "-q",
        "--format",
        "json",
        "-o",
        "r.json",
        "--no-record",
    )
    assert "Run recorded" not in err
    assert len(RunStore(project).ids()) == 1


def test_a_write_that_dies_leaves_no_record(project, monkeypatch):
    store = RunStore(project)
    real = store_module._write_synced

    def dies_on_manifest(path, data):
        if path.name == "manifest.json":
            raise KeyboardInterrupt  # the process is killed while writing
        real(path, data)

    monkeypatch.setattr(store_module, "_write_synced", dies_on_manifest)
    manifest = {"id": store.new_id("scan"), "format": 1}
    with pytest.raises(KeyboardInterrupt):
        store.write(manifest, {"report.json": "{}"})
    assert store.ids() == []
    assert list((project / ".pitfall" / "runs").iterdir()) == []


def test_a_leftover_temporary_folder_is_not_a_run(project, capsys):
    run_id = record_scan(capsys)
    (project / ".pitfall" / "runs" / f".tmp-{run_id}-999").mkdir()
    assert RunStore(project).ids() == [run_id]


def _bad(capsys, *args):
    rc, out, err = cli(capsys, *args)
    assert rc == 2, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("pitfall: error: "), err
    assert "Traceback" not in err
    return lines[0]


def test_missing_run(project, capsys):
    assert "no run records" in _bad(capsys, "card", "last")
    record_scan(capsys)
    assert "no such run" in _bad(capsys, "rerun", "nope")


def test_partial_record(project, capsys):
    run_id = record_scan(capsys)
    (project / ".pitfall" / "runs" / run_id / "manifest.json").unlink()
    assert "partial run record" in _bad(capsys, "card", run_id)


def test_corrupt_manifest_and_edited_report(project, capsys):
    run_id = record_scan(capsys)
    folder = project / ".pitfall" / "runs" / run_id
    report = folder / "report.json"
    report.write_text(report.read_text().replace('"summary"', '"summary" ', 1))
    assert "report.json changed after the run was recorded" in _bad(capsys, "rerun", run_id)
    (folder / "manifest.json").write_text('{"format": 1, "id": ')
    assert "corrupt run record" in _bad(capsys, "runs", "diff", run_id, run_id)


def test_record_of_another_version(project, capsys):
    run_id = record_scan(capsys)
    path = project / ".pitfall" / "runs" / run_id / "manifest.json"
    manifest = json.loads(path.read_text())
    path.write_text(json.dumps({**manifest, "pitfall_version": "0.0.1"}))
    line = _bad(capsys, "rerun", run_id)
    assert "recorded by pitfall 0.0.1" in line and "pitfall==0.0.1" in line
    path.write_text(json.dumps({**manifest, "format": 99}))
    assert "format 99" in _bad(capsys, "card", run_id)


def test_moved_data_file(project, capsys):
    run_id = record_scan(capsys)
    before = tree_hashes(project / ".pitfall" / "runs")
    os.rename(project / "test.csv", project / "test_moved.csv")
    line = _bad(capsys, "rerun", run_id)
    assert line.startswith("pitfall: error: test.csv: the test file of run") and "Put it back" in line
    assert tree_hashes(project / ".pitfall" / "runs") == before


def test_ambiguous_and_unique_prefix(project):
    store = RunStore(project)
    (store.runs / "20250101-000000-scan-aaaaaa").mkdir(parents=True)
    (store.runs / "20250101-000000-scan-aaaaab").mkdir()
    with pytest.raises(RecordError, match="ambiguous"):
        store.resolve("20250101")
    assert store.resolve("aaaaab") == "20250101-000000-scan-aaaaab"
    assert store.resolve("last") == "20250101-000000-scan-aaaaab"


def test_a_retrain_run_is_not_re_executed(project, capsys):
    from pitfall import __version__

    store = RunStore(project)
    run_id = store.new_id("retrain")
    store.write(
        {
            "format": 1,
            "pitfall_version": __version__,
            "id": run_id,
            "command": "retrain",
            "argv": ["retrain", "--store", "sqlite:///pitfall.db"],
            "inputs": {},
            "seeds": {"seed": 0},
            "environment": {},
        },
        {"report.json": "{}"},
    )
    line = _bad(capsys, "rerun", run_id)
    assert "retrain adds a model version to the service's store" in line


def test_record_setting_must_be_a_boolean(project, capsys):
    (project / "pyproject.toml").write_text('[tool.pitfall]\nrecord = "yes"\n')
    line = _bad(capsys, "scan", "train.csv", "test.csv", "-t", "label", "--select", "PF101")
    assert "[tool.pitfall] record must be true or false. Got 'yes' instead." in line


def test_a_killed_writer_leaves_a_whole_record_or_none(tmp_path):
    """SIGKILL a process while it writes records: every record on disk loads, whenever it died."""
    import signal
    import subprocess
    import sys
    import time

    code = (
        "import sys\nfrom pathlib import Path\nfrom pitfall import __version__\n"
        "from pitfall.records.store import RunStore\n"
        "store = RunStore(Path(sys.argv[1]))\n"
        "for i in range(1000):\n"
        "    store.write({'format': 1, 'pitfall_version': __version__, 'id': f'run-{i:04d}', 'command': 'scan',\n"
        "                 'argv': [], 'inputs': {}, 'seeds': {}, 'environment': {}},\n"
        "                {'report.json': '{}', 'big.bin': bytes(8_000_000)})\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)])
    deadline = time.monotonic() + 60
    runs = tmp_path / ".pitfall" / "runs"
    while time.monotonic() < deadline and not (runs.is_dir() and len(list(runs.iterdir())) >= 3):
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    store = RunStore(tmp_path)
    assert store.ids(), "the writer wrote nothing before it was killed"
    for run_id in store.ids():
        assert store.load(run_id).manifest["id"] == run_id  # complete, hashes verified
