"""The service's routers, one module per concern; ``create_app`` includes them all (see ``serve/deps.py``)."""

from pitfall.serve.routes import export, health, items, predict

__all__ = ["ROUTERS"]

ROUTERS = (predict.router, items.router, export.router, health.router)
