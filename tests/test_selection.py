"""ruff-style selection: the more specific selector wins; ignore wins ties."""

import pytest

from pitfall.checks.selection import parse_selectors, select_codes
from pitfall.errors import ConfigError

CODES = ["PF101", "PF102", "PF201", "PF202", "PF401"]


@pytest.mark.parametrize(
    ("select", "ignore", "expected"),
    [
        ([], [], CODES),
        (["PF2"], [], ["PF201", "PF202"]),
        (["PF2", "PF401"], [], ["PF201", "PF202", "PF401"]),
        ([], ["PF1"], ["PF201", "PF202", "PF401"]),
        (["PF2"], ["PF202"], ["PF201"]),
        (["PF202"], ["PF2"], ["PF202"]),  # the more specific select wins
        (["PF2"], ["PF2"], []),  # ignore wins a tie
        (["ALL"], ["PF"], []),
    ],
)
def test_precedence(select, ignore, expected):
    assert select_codes(CODES, select, ignore) == expected


def test_parse_accepts_commas_and_lists():
    assert parse_selectors("pf2, PF401", option="--select") == ["PF2", "PF401"]
    assert parse_selectors(["PF1", "PF202,PF203"], option="--select") == ["PF1", "PF202", "PF203"]


@pytest.mark.parametrize("bad", ["XYZ", "PF1234", "F401", "PF-2"])
def test_parse_rejects_garbage(bad):
    with pytest.raises(ConfigError, match="--select"):
        parse_selectors(bad, option="--select")


def test_selector_matching_nothing_is_an_error():
    with pytest.raises(ConfigError, match="PF9"):
        select_codes(CODES, ["PF9"], [])
