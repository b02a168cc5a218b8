"""What ``POST /predict`` and ``POST /predict/csv`` accept, checked before anything is predicted or stored.

A body is a JSON object ``{"records": [...], "batch_id": "..."}`` or a bare JSON list of records. It is parsed and
validated in one pass by pydantic's JSON parser, which refuses invalid Unicode (a lone surrogate such as
``"\\ud800"``), nesting deeper than its recursion limit and non-finite numbers. Then every record is encoded once
(the encoding is what the store keeps) and checked: no NUL character (PostgreSQL cannot store one in text), field
names of at most ``MAX_FIELD_NAME`` characters, and at most ``Limits.max_record_bytes`` bytes of JSON per record.
A refusal is an ``HTTPException`` with a one-line ``detail`` naming the record and field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import HTTPException
from pydantic import TypeAdapter, ValidationError
from pydantic_core import PydanticSerializationError, to_json

from pitfall.serve.schemas import PredictRequest, Record

__all__ = [
    "MAX_BATCH_ID",
    "MAX_FIELD_NAME",
    "Limits",
    "check_batch_id",
    "encode_records",
    "one_line",
    "parse_body",
    "validation_detail",
]

MAX_FIELD_NAME = 200
MAX_BATCH_ID = 200  # the store's column width


@dataclass(frozen=True)
class Limits:
    """Bounds on what one request may make the service hold: body bytes, records, and bytes per stored record."""

    max_bytes: int = 10 * 1024 * 1024
    max_records: int = 10_000
    max_record_bytes: int = 64 * 1024


def one_line(text: object) -> str:
    return " ".join(part.strip() for part in str(text).splitlines() if part.strip())


_body = TypeAdapter(PredictRequest)
_records = TypeAdapter(list[Record])
_SCALAR = "must be a string, a finite number (not NaN or Infinity), true, false or null"
_MEMBER_TAGS = frozenset({"str", "int", "float", "bool"})  # pydantic's loc suffix for each member of Scalar


def validation_detail(exc: Any) -> str:
    """The first three errors of a pydantic (or FastAPI) validation error, on one line.

    The four errors of a value that matched none of ``Scalar``'s types are said once."""
    parts: list[str] = []
    seen: set[tuple[Any, ...]] = set()
    errors = exc.errors()
    for err in errors:
        loc = tuple(x for x in err.get("loc", ()) if x != "body")
        msg = str(err.get("msg"))
        if loc and loc[-1] in _MEMBER_TAGS:
            loc, msg = loc[:-1], _SCALAR
        if loc in seen:
            continue
        seen.add(loc)
        where = ".".join(str(x) for x in loc)
        parts.append(f"{where}: {msg}" if where else msg)
    shown = parts[:3]
    more = len(parts) - len(shown)
    return one_line("; ".join(shown) + (f" (and {more} more)" if more > 0 else ""))


def parse_body(raw: bytes) -> tuple[list[dict[str, Any]], str | None]:
    """The records and batch id of a ``POST /predict`` body (an object with ``records``, or a bare list)."""
    bare = raw.lstrip()[:1] == b"["
    try:
        if bare:
            return _records.validate_json(raw), None
        body = _body.validate_json(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        if first.get("type") == "json_invalid":
            raise HTTPException(422, f"body is not valid JSON: {one_line(first.get('msg'))}") from None
        raise HTTPException(422, validation_detail(exc)) from None
    return body.records, body.batch_id


def check_batch_id(batch_id: Any) -> str | None:
    """``batch_id`` when it is a short printable string (or None); a 422 otherwise."""
    if batch_id is None:
        return None
    if not isinstance(batch_id, str) or not batch_id:
        raise HTTPException(422, "batch_id must be a non-empty string.")
    if len(batch_id) > MAX_BATCH_ID:
        raise HTTPException(422, f"batch_id must be at most {MAX_BATCH_ID} characters. Got {len(batch_id)}.")
    if not batch_id.isprintable():
        raise HTTPException(422, "batch_id must be printable text (no NUL, control characters or line breaks).")
    try:
        batch_id.encode("utf-8")
    except UnicodeEncodeError:
        raise HTTPException(422, "batch_id must be valid Unicode (it holds a lone surrogate).") from None
    return batch_id


def _nul_field(record: Mapping[str, Any]) -> str | None:
    for key, value in record.items():
        if "\x00" in key or (isinstance(value, str) and "\x00" in value):
            return key
    return None


def encode_records(records: Sequence[Mapping[str, Any]], limits: Limits) -> list[str]:
    """Each record as the compact JSON the store keeps, after the checks of this module's docstring."""
    if not records:
        raise HTTPException(422, "records is empty; send at least one record.")
    if len(records) > limits.max_records:
        raise HTTPException(413, f"{len(records)} records in one request; the limit is {limits.max_records}.")
    out = []
    for i, record in enumerate(records):
        try:
            data = to_json(record)  # compact UTF-8, in Rust: several times faster than json.dumps per record
            text = data.decode("utf-8")
        except (UnicodeError, PydanticSerializationError, ValueError) as exc:
            raise HTTPException(
                422,
                f"record {i} holds text that is not valid Unicode or values that are not JSON "
                f"scalars: {one_line(exc)[:200]}",
            ) from None
        size = len(data)
        if size > limits.max_record_bytes:
            raise HTTPException(
                413, f"record {i} is {size:,} bytes of JSON; the limit is {limits.max_record_bytes:,} per record."
            )
        if "\\u0000" in text:
            field = _nul_field(record)
            if field is not None:
                raise HTTPException(422, f"record {i} field {field[:50]!r} holds a NUL character; remove it.")
        long_name = next((k for k in record if len(k) > MAX_FIELD_NAME), None)
        if long_name is not None:
            raise HTTPException(
                422, f"record {i} has a field name of {len(long_name)} characters; the limit is {MAX_FIELD_NAME}."
            )
        out.append(text)
    return out
