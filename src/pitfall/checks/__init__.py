"""Checks: one class per pitfall, grouped in one package per family."""
