"""The request and response bodies of the HTTP service, as pydantic models (they also make its OpenAPI schema)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AllowInfNan, BaseModel, ConfigDict, Strict, StrictBool, StrictInt, StrictStr

__all__ = ["Prediction", "PredictRequest", "PredictResponse", "Record", "ReviewRequest", "Scalar"]

# A record value: JSON's scalars, with numbers finite (NaN, Infinity and 1e400 are refused, not stored as null).
Scalar = StrictStr | StrictInt | Annotated[float, Strict(), AllowInfNan(False)] | StrictBool | None
Record = dict[str, Scalar]


class PredictRequest(BaseModel):
    """A batch of records to predict. ``batch_id`` makes a retry safe: a batch already stored under it is answered
    again as stored (``replayed: true``), never stored twice; other records under a used id are a 409."""

    model_config = ConfigDict(extra="forbid")
    records: list[Record]
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
    replayed: bool = False


class ReviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["accept", "correct", "skip"]
    label: StrictStr | None = None
