"""``pitfall lint``: leakage written in scripts and notebooks, found by reading the code.

``sources`` reads ``.py`` files and notebooks (cells in the order they ran), ``dataflow`` follows
each variable from where data is loaded to every fit and score, ``rules`` turns what it saw into
findings, and ``runner.lint`` returns a ``Report`` like ``pitfall scan``'s, each finding with its
location in the code.
"""

from pitfall.lint.runner import LINT_CODES, lint

__all__ = ["LINT_CODES", "lint"]
