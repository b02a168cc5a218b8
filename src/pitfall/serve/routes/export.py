"""``GET /export``: reviewed items with their final label, as CSV or Parquet, for retraining (reviewer token)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import Response

from pitfall.deploy.store import User
from pitfall.serve.deps import ServeState, get_state, one_line, reviewer

__all__ = ["router"]

router = APIRouter()


@router.get("/export", summary="Reviewed items with their final label, as CSV or Parquet (reviewer token)")
def export(
    user: Annotated[User, Depends(reviewer)],
    state: Annotated[ServeState, Depends(get_state)],
    format: Annotated[Literal["csv", "parquet"], Query()] = "csv",
) -> Response:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"reviewed.{format}"
        try:
            state.store.export_reviewed(path, format)
        except ValueError as exc:
            raise HTTPException(409, one_line(exc)) from None
        content = path.read_bytes()
    media = "text/csv" if format == "csv" else "application/vnd.apache.parquet"
    return Response(
        content, media_type=media, headers={"Content-Disposition": f'attachment; filename="reviewed.{format}"'}
    )
