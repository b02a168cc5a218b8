"""The documentation site's generated pages: one per check from its docstring, with its options
and its measured false-alarm rows, so the site cannot drift from the registry."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from pitfall.checks.registry import CHECKS, get_check

ROOT = Path(__file__).resolve().parent.parent


def _module():
    spec = importlib.util.spec_from_file_location("docs_pages", ROOT / "scripts" / "docs_pages.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_check_has_a_page_with_its_sections_options_and_rates():
    pages = _module().pages(has_severity_page=False)
    assert set(pages) == {"checks/index.md", "severity.md"} | {f"checks/{c}.md" for c in CHECKS}
    for code in CHECKS:
        cls, page = get_check(code), pages[f"checks/{code}.md"]
        assert page.startswith(f"# {code} `{cls.name}`")
        for section in (
            "## What it finds",
            "## Why it matters",
            "## How to fix",
            "## Example",
            "## Options",
            "## False-alarm rate",
        ):
            assert section in page, (code, section)
        assert f"[{code}]({code}.md)" in pages["checks/index.md"]
        assert f"| [{code}](checks/{code}.md) | `{cls.name}` | {cls.severity.value} |" in pages["severity.md"]
    assert "| `alpha` | `0.001` |" in pages["checks/PF201.md"]  # options come from __init__'s signature
    assert "| PF101 | gaussian | 100 | 0.0% |" in pages["checks/PF101.md"]  # rows of docs/false-alarms.md


def test_a_real_severity_page_wins():
    assert "severity.md" not in _module().pages(has_severity_page=True)


def test_links_out_of_docs_name_the_file_and_links_inside_stay(tmp_path):
    module = _module()
    docs = ROOT / "docs"
    text = (
        "See [the benchmark](../benchmarks/bench_scan.py), [`README.md`](../README.md), "
        "[checks](checks/index.md), [web](https://example.org) and ![img](x.png)."
    )
    out = module.repo_links(text, docs, docs)
    assert "the benchmark (`benchmarks/bench_scan.py`)" in out and "`README.md`," in out
    assert "[checks](checks/index.md)" in out and "[web](https://example.org)" in out and "![img](x.png)" in out
