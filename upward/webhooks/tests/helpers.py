"""Endpoints made through the service, as an admin would, pointed at a local Recorder."""

from __future__ import annotations

from typing import Any

from upward.webhooks import services
from upward.webhooks.models import Endpoint, EventType


def endpoint_for(world: Any, url: str, *events: str) -> Endpoint:
    return services.create_endpoint(
        world.org,
        url=url,
        description="HR platform",
        events=list(events) or list(EventType.values),
        by=world.admin.user,
    )
