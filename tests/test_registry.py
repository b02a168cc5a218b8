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


def test_specs_read_from_source_match_the_classes():
    """``pitfall checks``/``explain`` read each check without importing it; the answer is the class's own."""
    from pitfall.checks import catalog
    from pitfall.checks.registry import SPECS

    for code, cls in CHECKS.items():
        spec = SPECS[code]
        assert (spec.code, spec.name, spec.family, spec.severity, spec.since) == (
            cls.code,
            cls.name,
            cls.family,
            cls.severity.value,
            cls.since,
        ), code
        assert spec.docs == cls.docs(), code
        assert spec.summary() == cls.summary(), code
        assert spec.command() == cls.command(), code
        for flag, value in spec.requires.items():
            assert getattr(cls.requires, flag) == value, (code, flag)
        # read statically (not by the import fallback) for every registered check
        assert catalog._class_fields(*spec.target.split(":"))["code"] == code
    assert {"severity": Check.severity.value, "requires": {}, "since": Check.since} == catalog._BASE_DEFAULTS


def test_listing_checks_imports_no_check_module():
    import subprocess
    import sys

    code = (
        "import sys; from pitfall.checks.registry import SPECS; [s.docs for s in SPECS.values()]; "
        "print(sorted(m for m in sys.modules if m.startswith(('pitfall.checks.', 'pandas', 'sklearn', 'numpy'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    loaded = eval(out)  # family packages (docstrings only) load; no check module, no numpy/pandas/sklearn
    assert [m for m in loaded if not m.startswith("pitfall.") or m.count(".") > 2] == [], loaded
    assert {"pitfall.checks.catalog", "pitfall.checks.registry"} <= set(loaded)
