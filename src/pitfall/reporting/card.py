"""Render a card's content (``pitfall.records.card.card_content``) as Markdown, HTML and JSON.

``MODEL_CARD.md`` follows the sections of Mitchell et al. (2019) and the Hugging Face model card
template; ``DATASHEET.md`` those of Gebru et al. (2021); ``REFORMS.md`` the 32 items of Kapoor et
al. (2024); ``card.html`` holds all three in one self-contained page (no network needed);
``model_card.json`` follows the Model Card Toolkit schema. A question nobody answered is shown as
the question and the ``[tool.pitfall.card]`` key that answers it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader

__all__ = ["render_card", "write_card"]

FILES = ("MODEL_CARD.md", "DATASHEET.md", "REFORMS.md", "card.html", "model_card.json")


def _num(value: Any, digits: int = 3) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _ci(value: dict[str, Any] | None) -> str:
    if not value or value.get("estimate") is None:
        return "n/a"
    if value.get("low") is None or value.get("high") is None:
        return _num(value["estimate"])
    return f"{_num(value['estimate'])} [{_num(value['low'])}, {_num(value['high'])}]"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def _md(text: Any) -> str:
    """One table cell of Markdown: no newlines, no unescaped pipes."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _env(html: bool) -> Environment:
    env = Environment(
        loader=PackageLoader("pitfall", "reporting/templates"),
        autoescape=html,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(num=_num, ci=_ci, pct=_pct, md=_md)
    return env


def _answer_fn(content: dict[str, Any]):
    people, questions = content["people"], content["questions"]

    def answer(key: str) -> dict[str, Any]:
        value = people.get(key)
        if value:
            return {"given": True, "text": "; ".join(map(str, value)) if isinstance(value, list) else str(value)}
        return {"given": False, "text": questions.get(key, key), "key": key}

    return answer


def render_card(content: dict[str, Any], mct: dict[str, Any]) -> dict[str, str]:
    """The card's files by name."""
    out = {}
    for name, template in (
        ("MODEL_CARD.md", "model_card.md.j2"),
        ("DATASHEET.md", "datasheet.md.j2"),
        ("REFORMS.md", "reforms.md.j2"),
    ):
        out[name] = _env(False).get_template(template).render(c=content, answer=_answer_fn(content)).rstrip() + "\n"
    out["card.html"] = _env(True).get_template("card.html.j2").render(c=content, answer=_answer_fn(content))
    out["model_card.json"] = json.dumps(mct, indent=2, allow_nan=False) + "\n"
    return out


def write_card(files: dict[str, str], folder: Path) -> list[Path]:
    """Write the card's files into ``folder`` (created if needed)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in files.items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
