"""Pages of the documentation site made from the code, at build time (a MkDocs hook).

`make docs` runs `mkdocs build --strict`, which loads this file (``hooks:`` in mkdocs.yml) and
calls ``on_files``. It adds, without writing anything to docs/:

- ``checks/index.md``: the registry as a table, one row per check, linked to its page;
- ``checks/PFxxx.md``: one page per check from its docstring (what it finds, why it matters,
  how to fix, example, options), its ``__init__`` options with their defaults, the command
  that runs it, and the rows of docs/false-alarms.md that measure it;
- ``severity.md``, only while docs/ has none: what each severity promises and every check's
  default level.

It also turns links from docs/ to other files of the repository (the README, a benchmark script) into the
file's name, since the site has no page for them.

Run it as a script (``python scripts/docs_pages.py OUT``) to write the same pages to a folder.
"""

from __future__ import annotations

import inspect
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FALSE_ALARMS = ROOT / "docs" / "false-alarms.md"
SECTIONS = ("What it finds", "Why it matters", "How to fix", "Example", "Options")


def pages(has_severity_page: bool) -> dict[str, str]:
    """Generated pages by their path under docs/."""
    from pitfall.checks.registry import CHECKS, get_check

    checks = [get_check(code) for code in CHECKS]
    tables = _tables(FALSE_ALARMS.read_text(encoding="utf-8")) if FALSE_ALARMS.exists() else []
    out = {"checks/index.md": checks_index(checks)}
    for cls in checks:
        out[f"checks/{cls.code}.md"] = check_page(cls, tables)
    if not has_severity_page:
        out["severity.md"] = severity_page(checks)
    return out


def checks_index(checks: list[Any]) -> str:
    lines = [
        "# Checks",
        "",
        "Every check `pitfall` runs, by code. Codes are stable: a code is never reused or renumbered.",
        "Select or ignore them by code or prefix (`--select PF2 --ignore PF203`, or `select`/`ignore`",
        "under `[tool.pitfall]` in pyproject.toml). `pitfall explain CODE` prints the same page in a",
        "terminal.",
        "",
        "| code | name | family | default severity | run by | what it finds |",
        "|---|---|---|---|---|---|",
    ]
    for cls in checks:
        summary = cls.summary().replace("|", "\\|")
        lines.append(
            f"| [{cls.code}]({cls.code}.md) | `{cls.name}` | {cls.family} | {cls.severity.value} "
            f"| `pitfall {cls.command()}` | {summary} |"
        )
    return "\n".join(lines) + "\n"


def check_page(cls: Any, tables: list[tuple[str, list[str], list[list[str]]]]) -> str:
    docs = cls.docs()
    summary, sections = _sections(docs)
    req = cls.requires
    needs = [name for name in ("model", "group", "time", "study", "text", "image") if getattr(req, name, False)]
    lines = [
        f"# {cls.code} `{cls.name}`",
        "",
        summary,
        "",
        "| about | |",
        "|---|---|",
        f"| code | {cls.code} |",
        f"| family | {cls.family} |",
        f"| default severity | {cls.severity.value} ([what that promises](../severity.md)) |",
        f"| run by | `pitfall {cls.command()}` |",
        f"| needs | {', '.join(('a model' if n == 'model' else f'`--{n}`') for n in needs) or 'the data only'} |",
        f"| since | {cls.since} |",
        "",
    ]
    for title in SECTIONS:
        body = sections.get(title)
        if title == "Options":
            lines += ["## Options", "", *(_options(cls)), ""]
            if body and body.strip() != "This check has no options.":
                lines += [_demote(body), ""]
            continue
        if body:
            lines += [f"## {title}", "", _demote(body), ""]
    for title, body in sections.items():  # any other section the docstring has (Known limits, ...)
        if title not in SECTIONS:
            lines += [f"## {title}", "", _demote(body), ""]
    lines += ["## False-alarm rate", "", *_false_alarms(cls.code, tables), ""]
    return "\n".join(lines)


def severity_page(checks: list[Any]) -> str:
    lines = [
        "# Severity policy",
        "",
        "A severity is a promise to the reader of a report:",
        "",
        "- **error**: the result cannot be trusted as reported (a leak, a model no better than a",
        "  guess). `pitfall scan` exits 1 on errors by default (`--fail-on error`).",
        "- **warning**: it may not be trustworthy; look (a shortcut the model may use, a test set",
        "  too small for the precision quoted).",
        "- **info**: context that cannot change a conclusion.",
        "",
        "A check may grade one finding below its default when the measured effect is too small to",
        "move the score beyond its own noise; each check's page says how it decides. The defaults:",
        "",
        "| code | name | default severity |",
        "|---|---|---|",
    ]
    lines += [f"| [{c.code}](checks/{c.code}.md) | `{c.name}` | {c.severity.value} |" for c in checks]
    return "\n".join(lines) + "\n"


def _sections(docs: str) -> tuple[str, dict[str, str]]:
    """The first paragraph and the ``## Title`` sections of a docstring."""
    parts = re.split(r"^## +(.+?)\s*$", docs, flags=re.M)
    head = " ".join(parts[0].split("\n\n")[0].split())
    return head, {parts[i].strip(): parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}


def _demote(body: str) -> str:
    """Sub-headings of a section one level down, so the page's outline stays right."""
    return re.sub(r"^(#+) ", lambda m: "#" * (len(m.group(1)) + 1) + " ", body, flags=re.M)


def _options(cls: Any) -> list[str]:
    params = [
        p
        for p in inspect.signature(cls.__init__).parameters.values()
        if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]
    if not params:
        return ["This check takes no options."]
    rows = [
        "Set them under `[tool.pitfall.checks." + cls.code + "]` in pyproject.toml, or as keyword",
        f"arguments of the check's class (`{cls.__module__}.{cls.__name__}`).",
        "",
        "| option | default |",
        "|---|---|",
    ]
    for p in params:
        default = "(required)" if p.default is inspect.Parameter.empty else f"`{p.default!r}`"
        rows.append(f"| `{p.name}` | {default} |")
    return rows


def _tables(text: str) -> list[tuple[str, list[str], list[list[str]]]]:
    """(section heading, header cells, rows) of every Markdown table in ``text``."""
    out: list[tuple[str, list[str], list[list[str]]]] = []
    heading, lines, i = "", text.splitlines(), 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
        if line.startswith("|") and i + 1 < len(lines) and re.match(r"^\|[\s:|-]+\|\s*$", lines[i + 1]):
            header = _cells(line)
            rows, i = [], i + 2
            while i < len(lines) and lines[i].startswith("|"):
                rows.append(_cells(lines[i]))
                i += 1
            out.append((heading, header, rows))
            continue
        i += 1
    return out


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _false_alarms(code: str, tables: list[tuple[str, list[str], list[list[str]]]]) -> list[str]:
    """The rows of docs/false-alarms.md that name ``code`` in their first cell, with their table's header."""
    pattern = re.compile(rf"\b{code}\b")
    out: list[str] = []
    for heading, header, rows in tables:
        hits = [r for r in rows if r and pattern.search(r[0])]
        if not hits:
            continue
        out += [
            f"From *{heading}* in [False-alarm rates](../false-alarms.md):",
            "",
            "| " + " | ".join(header) + " |",
            "|" + "---|" * len(header),
        ]
        out += ["| " + " | ".join(r) + " |" for r in hits] + [""]
    if not out:
        mentioned = [h for h, _, rows in tables if any(pattern.search(" ".join(r)) for r in rows)]
        where = f" (it is mentioned under *{mentioned[0]}*)" if mentioned else ""
        out = [
            f"No per-check rate is measured for {code} yet{where}; see "
            "[False-alarm rates](../false-alarms.md) for the whole scan on clean data."
        ]
    return out


_LINK = re.compile(r"(?<!!)\[([^\]]+)\]\(([^)\s]+)\)")


def repo_links(markdown: str, page_dir: Path, docs_dir: Path) -> str:
    """Links from a page to files of the repository outside docs/ (``../benchmarks/bench_x.py``, the README)
    name the file instead: a site has no such page, and --strict would refuse the link."""

    def fix(m: re.Match[str]) -> str:
        text, target = m.group(1), m.group(2)
        if re.match(r"^[a-z]+:|^#|^/", target):
            return m.group(0)
        path = (page_dir / target.split("#")[0]).resolve()
        if path.is_relative_to(docs_dir.resolve()):
            return m.group(0)
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else Path(target)
        return text if f"`{shown}`" in text or str(shown) == text.strip("`") else f"{text} (`{shown}`)"

    return _LINK.sub(fix, markdown)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """MkDocs hook: links out of docs/ become file names (see ``repo_links``)."""
    docs_dir = Path(config["docs_dir"])
    return repo_links(markdown, (docs_dir / page.file.src_uri).parent, docs_dir)


def on_files(files: Any, config: Any) -> Any:
    """MkDocs hook: add the generated pages (a real docs/severity.md, when there is one, wins)."""
    from mkdocs.structure.files import File

    has_severity = files.get_file_from_path("severity.md") is not None
    for path, content in pages(has_severity).items():
        files.append(File.generated(config, path, content=content))
    return files


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "build/docs-pages")
    for path, content in pages((ROOT / "docs" / "severity.md").exists()).items():
        (target / path).parent.mkdir(parents=True, exist_ok=True)
        (target / path).write_text(content, encoding="utf-8")
    print(f"wrote {target}")
