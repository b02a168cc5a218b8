"""What each command runs: load the inputs, choose the checks, run them, return a result.

One module per command: ``scan`` (``pitfall.scan``), ``drift`` (``pitfall.drift``), ``thresholds``
(``pitfall.thresholds``), ``monitor`` (``pitfall monitor``: a ``pitfall serve`` store over time) and
``retrain`` (``pitfall retrain``). The CLI and the service call these; they call checks and return
reports, never rendering anything themselves.
"""
