"""Renderers: every output format reads a ``Report`` and nothing else."""
