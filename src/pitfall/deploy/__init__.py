"""Deployment: turn a classifier's predictions into actions (accept, review, abstain).

``pitfall.thresholds(model, valid_df, target=..., accuracy=0.98)`` is
``pitfall.deploy.thresholds.thresholds``; ``pitfall.deploy.policy`` reads and writes the
``policy.toml`` that records the chosen thresholds and safety rules.
"""
