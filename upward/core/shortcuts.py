"""Small helpers for views that do not belong to one app."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from upward.core.errors import DomainError


def act_and_redirect(
    request: HttpRequest,
    action: Callable[[], object],
    *,
    success: str,
    to: Any,
    on_error: Any = None,
) -> HttpResponse:
    """The POST shape many pages share: call one service, tell the person it worked (`success`)
    or why the service refused (its DomainError), and redirect to `to` (or to `on_error` when
    refused). `to` and `on_error` take what `redirect` takes: a URL, a view name or a model."""
    try:
        action()
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(on_error if on_error is not None else to)
    messages.success(request, success)
    return redirect(to)
