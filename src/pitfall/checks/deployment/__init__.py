"""Deployment checks (PF6xx): measured by ``pitfall thresholds`` on a model and labelled validation data."""
