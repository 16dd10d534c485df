"""One door to each webhook object: an admin of its organisation gets it, anyone else a 404."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from upward.organisations.access import require_org_admin
from upward.webhooks.models import Delivery, Endpoint


def access_endpoint(user: Any, pk: int) -> Endpoint:
    admin = require_org_admin(user)
    try:
        return Endpoint.objects.select_related("organisation").get(
            pk=pk, organisation_id=admin.organisation_id
        )
    except Endpoint.DoesNotExist as exc:
        raise Http404("No such endpoint.") from exc


def access_delivery(user: Any, endpoint_pk: int, pk: int) -> Delivery:
    endpoint = access_endpoint(user, endpoint_pk)
    try:
        delivery = Delivery.objects.get(pk=pk, endpoint=endpoint)
    except Delivery.DoesNotExist as exc:
        raise Http404("No such delivery.") from exc
    delivery.endpoint = endpoint
    return delivery
