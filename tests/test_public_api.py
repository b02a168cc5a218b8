"""The public API is small and explicit; importing pitfall is cheap."""

import subprocess
import sys

import pitfall

# The public API is a contract: changing it is a decision, made here on purpose.
PUBLIC = [
    "ConfigError",
    "Finding",
    "InputError",
    "ModelError",
    "PitfallError",
    "Report",
    "Severity",
    "__version__",
    "drift",
    "scan",
    "thresholds",
]


def test_all_lists_exactly_the_public_names():
    assert sorted(pitfall.__all__) == sorted(PUBLIC)
    # every name the package resolves lazily is exported, and nothing else public is defined
    assert set(pitfall._LAZY) | {"__version__"} == set(pitfall.__all__)
    defined = {n for n, v in vars(pitfall).items() if not n.startswith("_") and not isinstance(v, type(pitfall))}
    assert defined - set(pitfall.__all__) <= {
        "annotations",
        "TYPE_CHECKING",
        "Any",
        "import_module",
        "version",
        "PackageNotFoundError",
    }
    for name in pitfall.__all__:
        value = getattr(pitfall, name)
        assert value is not None
        if name != "__version__":
            assert value.__module__.startswith("pitfall."), name
            assert value.__doc__, f"pitfall.{name} has no docstring"


def test_every_module_exports_what_it_defines():
    """Each module's ``__all__`` names exist (a stale export breaks ``from m import *``)."""
    import importlib
    import pkgutil

    for info in pkgutil.walk_packages(pitfall.__path__, "pitfall."):
        if info.name.startswith(
            ("pitfall.serve", "pitfall.engine.dask_cluster", "pitfall.deploy.store", "pitfall.pytest_plugin")
        ):
            continue  # optional extras; their own tests import them
        module = importlib.import_module(info.name)
        for name in getattr(module, "__all__", ()):
            assert hasattr(module, name), f"{info.name}.__all__ names {name!r}, which it does not define"


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
