"""Model checks on the real data sets bundled with scikit-learn, split at random: honest data.

None of them has a leak, and pitfall's default model learns something on each, so PF205 must
not warn and PF401 must not call the model useless (on diabetes, with 111 test rows, it may say
that the test set is too small to show the gain).
"""

import pytest

from tests.checks.evaluation.synthetic import scan, split
from tests.checks.shapes import sklearn_frame


@pytest.mark.parametrize("name", ["iris", "wine", "breast_cancer", "digits", "diabetes"])
def test_bundled_data_sets_raise_no_model_alarm(name):
    df = sklearn_frame(name)
    report = scan(*split(df, test_share=0.25), select=["PF205", "PF401"])
    assert [f.message for f in report.findings if f.code == "PF205" and f.severity.value != "info"] == []
    assert [f.message for f in report.findings if f.code == "PF401" and f.severity.value == "error"] == []
    diffs = report.metrics["scores"]["model_minus_baseline"]
    assert all(diffs[d]["estimate"] > 0 for d in diffs if not d.startswith("rule: "))
