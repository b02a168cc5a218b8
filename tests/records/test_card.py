"""pitfall card: measured content filled in, people's answers only from [tool.pitfall.card], never invented."""

import json

from pitfall.records.questions import QUESTIONS
from pitfall.records.reforms import ITEMS

from .conftest import cli, record_scan


def test_card_from_a_recorded_scan(project, capsys):
    run_id = record_scan(capsys)
    rc, _, err = cli(capsys, "card", run_id, "-o", "card")
    assert rc == 0, err
    files = sorted(p.name for p in (project / "card").iterdir())
    assert files == ["DATASHEET.md", "MODEL_CARD.md", "REFORMS.md", "card.html", "model_card.json"]
    report = json.loads((project / ".pitfall" / "runs" / run_id / "report.json").read_text())
    model = report["metrics"]["scores"]["values"]["model"]
    card = (project / "card" / "MODEL_CARD.md").read_text()
    for section in (
        "## Model details",
        "## Intended use",
        "## Factors",
        "## Metrics",
        "## Evaluation data",
        "## Training data",
        "## Quantitative analyses",
        "## Ethical considerations",
        "## Caveats and recommendations",
    ):
        assert section in card
    assert f"| balanced_accuracy | {model['estimate']:.3f} [{model['low']:.3f}, {model['high']:.3f}] |" in card
    assert "| majority |" in card  # baselines with their intervals
    for finding in report["findings"]:
        assert finding["message"] in card and finding["fix"] in card
    # nothing people know is invented: each is the visible question with the key to set
    assert f"❓ *{QUESTIONS['owners']}* (not answered: set `owners`" in card
    assert f"❓ *{QUESTIONS['license']}*" in card
    sheet = (project / "card" / "DATASHEET.md").read_text()
    for section in (
        "## Motivation",
        "## Composition",
        "## Collection process",
        "## Preprocessing",
        "## Uses",
        "## Distribution",
        "## Maintenance",
    ):
        assert section in sheet
    manifest = json.loads((project / ".pitfall" / "runs" / run_id / "manifest.json").read_text())
    train = manifest["composition"]["splits"]["train"]
    assert f"| train | 300 | — | {train['duplicate_rows']} |" in sheet and train["rows_sha256"] in sheet
    assert "| label | target |" in sheet and "| f0 | feature | numeric" in sheet
    reforms = (project / "card" / "REFORMS.md").read_text()
    rows = [ln for ln in reforms.splitlines() if ln.startswith("| ") and ". " in ln.split("|")[1]]
    assert [r.split("|")[1].strip().split(".")[0] for r in rows] == [item[0] for item in ITEMS]
    assert len(ITEMS) == 32
    assert "| 7b. " in reforms and "| answered | 95% bootstrap" in reforms
    assert "| 1a. Population or distribution the scientific claim is about | open |" in reforms
    html = (project / "card" / "card.html").read_text()
    assert html.startswith("<!doctype html>") and "http://" not in html and "https://" not in html
    assert "REFORMS checklist" in html and "<script" not in html


def test_answers_come_from_tool_pitfall_card(project, capsys):
    run_id = record_scan(capsys)
    (project / "pyproject.toml").write_text(
        '[tool.pitfall.card]\nowners = ["Survey team <survey@example.org>"]\nlicense = "CC-BY-4.0"\n'
        'population = "Galaxies brighter than r = 17.7 in the survey footprint"\n'
        'intended_uses = "<b>Ranking</b> candidates for follow-up"\n'
    )
    rc, _, err = cli(capsys, "card", run_id, "-o", "card")
    assert rc == 0, err
    card = (project / "card" / "MODEL_CARD.md").read_text()
    assert "- **Developed by / owners:** Survey team <survey@example.org>" in card
    assert "- **Licence:** CC-BY-4.0" in card and QUESTIONS["license"] not in card
    reforms = (project / "card" / "REFORMS.md").read_text()
    assert "| 1a. Population or distribution the scientific claim is about | answered | Galaxies brighter" in reforms
    html = (project / "card" / "card.html").read_text()
    assert "&lt;b&gt;Ranking&lt;/b&gt;" in html and "<b>Ranking</b>" not in html  # escaped in HTML
    mct = json.loads((project / "card" / "model_card.json").read_text())
    assert mct["model_details"]["owners"] == [{"name": "Survey team <survey@example.org>"}]
    assert mct["model_details"]["licenses"] == [{"identifier": "CC-BY-4.0"}]


def test_model_card_toolkit_json_has_cis(project, capsys):
    run_id = record_scan(capsys)
    cli(capsys, "card", run_id, "-o", "card")
    mct = json.loads((project / "card" / "model_card.json").read_text())
    assert set(mct) == {"model_details", "model_parameters", "quantitative_analysis", "considerations", "pitfall"}
    perf = mct["quantitative_analysis"]["performance_metrics"][0]
    assert perf["type"] == "balanced_accuracy" and perf["slice"] == "test set"
    low, high = float(perf["confidence_interval"]["lower_bound"]), float(perf["confidence_interval"]["upper_bound"])
    assert low <= float(perf["value"]) <= high
    assert "owners" not in mct["model_details"]  # not given: left out, never made up
    assert len(mct["pitfall"]["reforms"]) == 32
    assert [d["name"] for d in mct["model_parameters"]["data"]] == ["train split", "test split"]


def test_card_output_must_be_a_folder(project, capsys):
    run_id = record_scan(capsys)
    (project / "card.txt").write_text("x")
    rc, _, err = cli(capsys, "card", run_id, "-o", "card.txt")
    assert rc == 2 and "is a file" in err
