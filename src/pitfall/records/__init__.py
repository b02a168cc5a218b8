"""Run records: what a run read and measured, kept so it can be listed, compared, re-run and carded.

``record_run`` writes ``.pitfall/runs/<id>/`` (manifest, JSON and HTML report) atomically and indexes it in
``.pitfall/runs.db``; ``RunStore`` reads records back and refuses bad ones with one line.
"""

from pitfall.records.record import RecordedRun, record_run
from pitfall.records.store import RecordError, Run, RunStore

__all__ = ["RecordError", "RecordedRun", "Run", "RunStore", "record_run"]
