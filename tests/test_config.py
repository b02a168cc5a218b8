"""[tool.pitfall] in pyproject.toml: found upward from the working directory, validated."""

import pytest

import pitfall
from pitfall.config import find_pyproject, load_config
from pitfall.errors import ConfigError
from pitfall.findings import Severity

from .conftest import clean_classification, split_frame


def write(tmp_path, text):
    path = tmp_path / "pyproject.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_every_key(tmp_path):
    path = write(
        tmp_path,
        """
[tool.pitfall]
select = ["PF1", "PF2"]
extend-select = ["PF401"]
ignore = ["PF103"]
fail-on = "warning"
metric = "accuracy"
seed = 7
[tool.pitfall.severity]
pf402 = "error"
[tool.pitfall.per-column-ignores]
row_id = ["PF104"]
[tool.pitfall.checks.PF403]
claimed_precision = 0.02
""",
    )
    cfg = load_config(path)
    assert cfg.select == ["PF1", "PF2", "PF401"]
    assert cfg.ignore == ["PF103"]
    assert cfg.fail_on == "warning" and cfg.metric == "accuracy" and cfg.seed == 7
    assert cfg.severity == {"PF402": Severity.ERROR}
    assert cfg.per_column_ignores == {"row_id": ["PF104"]}
    assert cfg.checks == {"PF403": {"claimed_precision": 0.02}}


def test_found_from_a_subdirectory(tmp_path, monkeypatch):
    write(tmp_path, "[tool.pitfall]\nignore = ['PF103']\n")
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    monkeypatch.chdir(sub)
    assert find_pyproject() == tmp_path / "pyproject.toml"
    assert load_config().ignore == ["PF103"]


def test_file_without_table_gives_defaults(tmp_path):
    cfg = load_config(write(tmp_path, "[project]\nname = 'x'\n"))
    assert cfg.select == [] and cfg.source is None


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("[tool.pitfall\n", "not valid TOML"),
        ("[tool.pitfall]\nselcet = ['PF1']\n", "unknown"),
        ("[tool.pitfall]\nseed = 'x'\n", "seed"),
        ("[tool.pitfall]\nselect = 3\n", "select"),
        ("[tool.pitfall.severity]\nPF101 = 'fatal'\n", "severity"),
    ],
)
def test_bad_config_is_a_config_error(tmp_path, text, match):
    with pytest.raises(ConfigError, match=match):
        load_config(write(tmp_path, text))


def test_config_drives_scan(tmp_path):
    df = clean_classification(n=600)
    df["row_id"] = range(len(df))
    train, test = split_frame(df)
    base = pitfall.scan(train, test, target="label", select=["PF104"], config=False)
    assert base.codes() == ["PF104"]
    path = write(tmp_path, "[tool.pitfall]\n[tool.pitfall.per-column-ignores]\nrow_id = ['PF104']\n")
    quiet = pitfall.scan(train, test, target="label", select=["PF104"], config=path)
    assert quiet.codes() == []
    path = write(tmp_path, "[tool.pitfall]\n[tool.pitfall.severity]\nPF104 = 'error'\n")
    loud = pitfall.scan(train, test, target="label", select=["PF104"], config=path)
    assert [f.severity for f in loud.findings] == [Severity.ERROR]
    path = write(tmp_path, "[tool.pitfall]\nignore = ['PF1']\n")
    assert pitfall.scan(train, test, target="label", select=None, config=path).by_code("PF104") == []


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("[tool.pitfall]\ntest-size = 'abc'\n", "test-size"),
        ("[tool.pitfall]\ntest-size = 1.5\n", "test-size"),
        ("[tool.pitfall]\nseverity = 'x'\n", "severity must be a table"),
        ("[tool.pitfall]\nper-column-ignores = 3\n", "per-column-ignores must be a table"),
        ("[tool.pitfall]\nmetric = 3\n", "metric must be a string"),
    ],
)
def test_wrongly_typed_values_are_config_errors(tmp_path, text, match):
    with pytest.raises(ConfigError, match=match):
        load_config(write(tmp_path, text))
