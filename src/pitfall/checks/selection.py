"""Choose checks by code prefix, with ruff's rules: the more specific prefix wins, and
``ignore`` wins over ``select`` at the same specificity."""

from __future__ import annotations

import re
from collections.abc import Iterable

from pitfall.errors import ConfigError

__all__ = ["parse_selectors", "select_codes"]

_SELECTOR = re.compile(r"^(ALL|PF\d{0,3})$")


def parse_selectors(values: Iterable[str] | str | None, *, option: str) -> list[str]:
    """Split ``"PF2,PF401"`` (or a list) into validated selectors."""
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    out: list[str] = []
    for value in values:
        for part in str(value).split(","):
            part = part.strip().upper()
            if not part:
                continue
            if not _SELECTOR.match(part):
                raise ConfigError(f"{option} takes check codes or prefixes like PF2 or PF401. Got {part!r} instead.")
            out.append(part)
    return out


def _specificity(selector: str) -> int:
    return -1 if selector == "ALL" else len(selector)


def _matches(selector: str, code: str) -> bool:
    return selector == "ALL" or code.startswith(selector)


def select_codes(codes: Iterable[str], select: list[str], ignore: list[str]) -> list[str]:
    """Return the codes enabled by ``select``/``ignore`` (an empty ``select`` means ALL)."""
    select = select or ["ALL"]
    known = list(codes)
    for selector in select + ignore:
        if selector != "ALL" and not any(_matches(selector, c) for c in known):
            raise ConfigError(f"no check matches {selector!r}. Run `pitfall checks` for the list.")
    enabled = []
    for code in known:
        best_sel = max((_specificity(s) for s in select if _matches(s, code)), default=None)
        best_ign = max((_specificity(s) for s in ignore if _matches(s, code)), default=None)
        if best_sel is None:
            continue
        if best_ign is not None and best_ign >= best_sel:
            continue
        enabled.append(code)
    return enabled
