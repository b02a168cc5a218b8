"""The HTTP service behind ``pitfall serve``: predict, route, store, and the review web pages.

Needs the ``serve`` extra (``pip install pitfall[serve]``: FastAPI, uvicorn, SQLAlchemy 2, psycopg 3).
What it decides and keeps (policy, routing, store) lives in ``pitfall.deploy``.
"""
