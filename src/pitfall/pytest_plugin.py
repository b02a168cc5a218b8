"""pytest plugin (registered through the ``pytest11`` entry point): the ``pitfall`` marker.

Kept import-light: pitfall's heavy modules load only when a test uses them.
"""

from __future__ import annotations


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "pitfall: a test that scans data or a model with pitfall")
