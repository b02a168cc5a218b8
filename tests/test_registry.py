"""The code table is the public contract: unique codes, families by prefix, documented checks."""

import re

import pytest

from pitfall.checks.base import Check
from pitfall.checks.registry import CHECKS, FAMILIES, get_check

SECTIONS = ("## What it finds", "## Why it matters", "## How to fix", "## Example")


def test_codes_are_unique_and_well_formed():
    assert len(set(CHECKS)) == len(CHECKS)
    names = [cls.name for cls in CHECKS.values()]
    assert len(set(names)) == len(names)
    for code, cls in CHECKS.items():
        assert re.fullmatch(r"PF[1-7]\d\d", code)
        assert cls.code == code
        assert FAMILIES[code[:3]] == cls.family
        assert re.fullmatch(r"[a-z]+(-[a-z0-9]+)*", cls.name)
        assert issubclass(cls, Check)


@pytest.mark.parametrize("code", list(CHECKS))
def test_every_check_is_documented(code):
    docs = CHECKS[code].docs()
    for section in SECTIONS:
        assert section in docs, f"{code} lacks {section!r}"
    # every keyword-only threshold is listed under ## Options
    params = CHECKS[code]().params()
    for name in params:
        assert "## Options" in docs and f"`{name}`" in docs, f"{code} does not document option {name!r}"


def test_class_name_is_the_check_name_in_pascal_case():
    for cls in CHECKS.values():
        assert cls.__name__ == "".join(p.capitalize() for p in cls.name.split("-"))


def test_get_check_is_case_insensitive_and_rejects_unknown():
    assert get_check("pf202") is CHECKS["PF202"]
    with pytest.raises(KeyError):
        get_check("PF999")
