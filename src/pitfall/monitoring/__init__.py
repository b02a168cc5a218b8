"""Drift between a reference and current data: what ``pitfall drift`` runs.

``pitfall.drift(reference, current, ...)`` is ``pitfall.monitoring.runner.drift``. Reading is
chunked (``stream``), every statistic is a mergeable per-chunk summary (``summaries``), the
checks read a ``DriftContext`` (``context``), and ``performance`` estimates a model's score on
unlabelled data from calibrated probabilities.
"""
