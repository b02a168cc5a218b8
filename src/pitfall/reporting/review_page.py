"""The review page's HTML (``pitfall serve``'s ``/review``), rendered from Jinja2 templates.

Records come from whoever calls ``/predict``, so every value goes through autoescaping; the page's only script
and style carry the response's CSP nonce. This module only renders: the service (``pitfall.serve``) decides what
is shown and passes plain values.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

__all__ = ["BANDS", "render_review"]

# Confidence bands of the filter: (key, label, low, high), low inclusive.
BANDS: tuple[tuple[str, str, float, float], ...] = (
    ("low", "below 0.5", 0.0, 0.5),
    ("mid", "0.5 to 0.7", 0.5, 0.7),
    ("high", "0.7 to 0.9", 0.7, 0.9),
    ("top", "0.9 and above", 0.9, 1.01),
)


@cache
def _env() -> Environment:
    return Environment(
        loader=PackageLoader("pitfall", "reporting/templates/review"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_review(template: str, **view: Any) -> str:
    """Render one of the review templates (``queue``, ``login``, ``confirm``, ``message``) with ``view``.

    ``view`` must hold ``nonce`` (the CSP nonce of the response) and ``title``."""
    return _env().get_template(f"{template}.html.j2").render(**view)
