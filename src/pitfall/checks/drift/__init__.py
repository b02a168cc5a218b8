"""Drift checks (PF5xx): run by ``pitfall drift`` on a reference and a current data set."""
