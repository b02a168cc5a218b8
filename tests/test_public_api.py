"""The public API is small and explicit; importing pitfall is cheap."""

import subprocess
import sys

import pitfall


def test_all_lists_exactly_the_public_names():
    public = sorted(n for n in dir(pitfall) if not n.startswith("_") or n == "__version__")
    assert sorted(pitfall.__all__) == public
    for name in pitfall.__all__:
        assert getattr(pitfall, name) is not None


def test_import_does_not_load_heavy_modules():
    code = "import sys, pitfall; print(','.join(m for m in ('sklearn', 'pandas', 'scipy', 'rich') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""


def test_report_api(clean_split):
    train, test = clean_split
    report = pitfall.scan(train, test, target="label", select=["PF1"], config=False)
    assert isinstance(report, pitfall.Report)
    assert report.exit_code("error") == 0
    assert "pitfall.Report" in repr(report)
    assert report.to_dict()["inputs"]["n_train"] == len(train)


def test_thresholds_api(clean_split):
    from sklearn.linear_model import LogisticRegression

    train, test = clean_split
    features = [c for c in train.columns if c != "label" and train[c].dtype.kind in "fi"]
    model = LogisticRegression(max_iter=500).fit(train[features], train["label"])
    result = pitfall.thresholds(model, test[[*features, "label"]], target="label", accuracy=0.9)
    assert result.n == len(test) and 0 <= result.accept_share <= 1
