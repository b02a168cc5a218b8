"""The request and response bodies of the HTTP service, as pydantic models (they also make its OpenAPI schema)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, StrictBool, StrictFloat, StrictInt, StrictStr

__all__ = ["Prediction", "PredictRequest", "PredictResponse", "ReviewRequest", "Scalar"]

Scalar = StrictStr | StrictInt | StrictFloat | StrictBool | None


class PredictRequest(BaseModel):
    """A batch of records to predict; ``batch_id`` makes a retry safe (a stored batch is refused, not doubled)."""

    model_config = ConfigDict(extra="forbid")
    records: list[dict[str, Scalar]]
    batch_id: StrictStr | None = None


class Prediction(BaseModel):
    item_id: str
    label: str | None
    confidence: float
    decision: str
    reason: str


class PredictResponse(BaseModel):
    model_version: str
    batch_id: str | None
    items: list[Prediction]


class ReviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["accept", "correct", "skip"]
    label: StrictStr | None = None
