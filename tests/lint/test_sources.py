"""Reading scripts and notebooks: cell order, IPython syntax, files that cannot be read."""

from __future__ import annotations

import json

from pitfall.lint import lint
from pitfall.lint.sources import discover, read_source
from tests.lint._notebooks import write_notebook

LEAK_CELLS = [
    "import pandas as pd\nfrom sklearn.model_selection import train_test_split\n"
    "from sklearn.preprocessing import StandardScaler\nfrom sklearn.linear_model import LogisticRegression",
    "df = pd.read_csv('d.csv')\nX, y = df.drop(columns='y'), df['y']",
    "X = StandardScaler().fit_transform(X)",
    "X_tr, X_te, y_tr, y_te = train_test_split(X, y, random_state=0)",
    "LogisticRegression().fit(X_tr, y_tr).score(X_te, y_te)",
]


def test_cells_run_in_execution_order(tmp_path):
    # In the document the scaling cell comes last (harmless); it ran before the split.
    order = [0, 1, 3, 4, 2]
    counts = {0: 1, 1: 2, 2: 3, 3: 4, 4: 5}
    cells = [(counts[i], LEAK_CELLS[i]) for i in order]
    path = write_notebook(tmp_path / "nb.ipynb", cells)
    source = read_source(path)
    assert source.order == "execution counts" and source.order_reason == "cells ran out of document order"
    report = lint([path], config=False)
    [finding] = report.by_code("PF206")
    assert finding.location.cell == 5 and finding.location.line == 1  # document cell number
    assert finding.location.excerpt == "X = StandardScaler().fit_transform(X)"
    assert any("not their order in the notebook" in n for n in report.notes)


def test_document_order_without_counts_and_the_reason_is_recorded(tmp_path):
    order = [0, 1, 3, 4, 2]
    path = write_notebook(tmp_path / "nb.ipynb", [(None, LEAK_CELLS[i]) for i in order])
    source = read_source(path)
    assert source.order == "document order" and source.order_reason == "no execution counts"
    report = lint([path], config=False)
    assert report.by_code("PF206") == []  # scaling after the evaluation, in document order, is harmless
    assert report.inputs["cell_order"][str(path)] == "document order (no execution counts)"


def test_repeated_counts_fall_back_to_document_order(tmp_path):
    path = write_notebook(
        tmp_path / "nb.ipynb",
        [(1, LEAK_CELLS[0]), (1, LEAK_CELLS[1]), (2, LEAK_CELLS[2]), (3, LEAK_CELLS[3]), (4, LEAK_CELLS[4])],
    )
    assert read_source(path).order_reason == "execution counts repeat"
    assert [f.code for f in lint([path], config=False).findings] == ["PF206"]


def test_ipython_syntax_is_blanked_and_other_languages_skipped(tmp_path):
    cells = [
        (1, "%matplotlib inline\n!pip install -q imbalanced-learn\n" + LEAK_CELLS[0]),
        (2, "%%bash\nls -l data/ | head"),
        (3, "%%time\n" + LEAK_CELLS[1] + "\nfiles = !ls data\ndf.head?"),
        (4, LEAK_CELLS[2]),
        (5, LEAK_CELLS[3]),
        (6, LEAK_CELLS[4]),
    ]
    path = write_notebook(tmp_path / "nb.ipynb", cells)
    source = read_source(path)
    assert [c.number for c in source.cells] == [1, 3, 4, 5, 6]
    assert source.cells[1].lines[0] == "%%time"  # excerpts show what the user wrote
    assert [f.code for f in lint([path], config=False).findings] == ["PF206"]


def test_unparsable_files_are_named_once_and_the_rest_still_runs(tmp_path):
    good = tmp_path / "good.py"
    good.write_text("\n".join(LEAK_CELLS), encoding="utf-8")
    (tmp_path / "broken.py").write_text("def f(:\n    pass\n", encoding="utf-8")
    (tmp_path / "not_json.ipynb").write_text("{ this is not json", encoding="utf-8")
    (tmp_path / "latin1.py").write_bytes("x = 'caf\xe9'\n".encode("latin-1"))
    nb_cells = [(1, "x = (1,")]
    write_notebook(tmp_path / "bad_cell.ipynb", nb_cells)
    report = lint([tmp_path], config=False)
    assert [f.code for f in report.findings] == ["PF206"]
    notes = "\n".join(report.notes)
    assert "broken.py: cannot parse: " in notes and "(line 1)" in notes
    assert "not_json.ipynb: not a notebook (invalid JSON" in notes
    assert "latin1.py: not UTF-8 text" in notes
    assert "bad_cell.ipynb: cell 1: cannot parse" in notes
    assert report.inputs["unreadable"] == 4
    assert all("\n" not in n for n in report.notes)


def test_discover_skips_virtualenvs_and_checkpoints(tmp_path):
    (tmp_path / ".venv" / "lib").mkdir(parents=True)
    (tmp_path / ".venv" / "lib" / "x.py").write_text("", encoding="utf-8")
    (tmp_path / ".ipynb_checkpoints").mkdir()
    (tmp_path / ".ipynb_checkpoints" / "a-checkpoint.ipynb").write_text(json.dumps({}), encoding="utf-8")
    (tmp_path / "a.py").write_text("", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("", encoding="utf-8")
    files, problems = discover([tmp_path, tmp_path / "missing.py", tmp_path / "notes.txt"])
    assert [f.name for f in files] == ["a.py"]
    assert problems == [
        f"{tmp_path / 'missing.py'}: no such file or folder",
        f"{tmp_path / 'notes.txt'}: not a .py or .ipynb file; skipped",
    ]


def test_an_analysis_error_in_one_file_is_named_and_the_others_are_linted(tmp_path, monkeypatch):
    import pitfall.lint.runner as runner

    real = runner.analyse

    def failing_on_one(source):
        if source.path.endswith("odd.py"):
            raise ValueError("unexpected node")
        return real(source)

    monkeypatch.setattr(runner, "analyse", failing_on_one)
    (tmp_path / "odd.py").write_text("x = 1\n", encoding="utf-8")
    (tmp_path / "leaky.py").write_text("\n".join(LEAK_CELLS), encoding="utf-8")
    report = lint([tmp_path], config=False)
    assert [f.code for f in report.findings] == ["PF206"]
    assert any("odd.py: internal error while analysing (ValueError: unexpected node)" in n for n in report.notes)
