"""What must happen around `manage.py restore` beyond copying the data back.

An app registers a hook in its AppConfig.ready(). `restore` calls every hook's `before()` against
the live database just before it is replaced (to read, say, the erasures made since the backup),
then, once the backup is back, `after(state, taken_at)` with what `before()` returned and the time
the backup was taken. `after` returns lines for the command's report.

core cannot import the apps above it; this registry lets them take part without that.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RestoreHook:
    name: str
    before: Callable[[], Any]
    after: Callable[[Any, dt.datetime], list[str]]


_hooks: dict[str, RestoreHook] = {}


def register(
    name: str,
    *,
    before: Callable[[], Any],
    after: Callable[[Any, dt.datetime], list[str]],
) -> RestoreHook:
    """Register (or replace, by name: ready() may run twice in tests) a restore hook."""
    hook = RestoreHook(name=name, before=before, after=after)
    _hooks[name] = hook
    return hook


def hooks() -> list[RestoreHook]:
    return [_hooks[name] for name in sorted(_hooks)]
