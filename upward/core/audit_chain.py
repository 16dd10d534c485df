"""The audit log's hash chain: how one entry is serialised and hashed.

Pure functions over plain values, so the model, `verify_chain` and the migration that chained the
entries written before the chain existed all hash exactly the same bytes. Changing anything here
breaks every existing chain: add a new version instead.

An entry's hash covers, in this order: the format version, its position in its chain, the previous
entry's hash, the organisation id, the actor's id as written (`actor_ref`), the verb, the object's
type and id, the data (JSON with sorted keys, no spaces) and the time (UTC, microseconds).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

FORMAT = "v1"
GENESIS = "0" * 64  # the "previous hash" of the first entry of every chain
NO_ORGANISATION = "none"


def chain_key(organisation_id: int | None) -> str:
    return NO_ORGANISATION if organisation_id is None else f"org:{organisation_id}"


def normalise_data(data: Any) -> Any:
    """`data` as it reads back from the database: JSON types only, whole floats as ints (a
    database may hand `2.0` back as `2`)."""
    if isinstance(data, dict):
        return {str(k): normalise_data(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [normalise_data(v) for v in data]
    if isinstance(data, float) and data.is_integer():
        return int(data)
    if data is None or isinstance(data, str | int | float | bool):
        return data
    raise TypeError(f"Audit data must be JSON values, not {type(data).__name__}.")


def canonical(
    *,
    position: int,
    prev_hash: str,
    organisation_id: int | None,
    actor_ref: int | None,
    verb: str,
    object_type: str,
    object_id: str,
    data: Any,
    created_at: dt.datetime,
) -> bytes:
    when = created_at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    fields = [
        FORMAT,
        int(position),
        prev_hash,
        organisation_id,
        actor_ref,
        verb,
        object_type,
        str(object_id),
        normalise_data(data if data is not None else {}),
        when,
    ]
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def entry_hash(**fields: Any) -> str:
    return hashlib.sha256(canonical(**fields)).hexdigest()
