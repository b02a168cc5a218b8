"""The web-page tests serve one small model from one SQLite store (not the parent folder's two backends)."""

from __future__ import annotations

import pytest

from pitfall.deploy.store import Store
from tests.serve._review import fit_model


@pytest.fixture(scope="module")
def model():
    return fit_model()


@pytest.fixture
def store(tmp_path):
    s = Store(f"sqlite:///{tmp_path / 'serve.db'}")
    yield s
    s.close()
