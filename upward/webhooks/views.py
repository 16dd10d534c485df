"""The organisation admin's webhook pages. Each view asks an access helper for its objects,
calls one service and renders."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from upward.core.errors import DomainError
from upward.core.types import AuthenticatedRequest
from upward.organisations.access import require_org_admin
from upward.webhooks import services
from upward.webhooks.access import access_delivery, access_endpoint
from upward.webhooks.forms import DeliveryFilterForm, EndpointEditForm, EndpointForm
from upward.webhooks.models import Delivery, Endpoint

PAGE_SIZE = 25


@login_required
def endpoint_list(request: AuthenticatedRequest) -> HttpResponse:
    admin = require_org_admin(request.user)
    latest = Delivery.objects.filter(endpoint=OuterRef("pk")).order_by("-created_at", "-pk")
    endpoints = (
        Endpoint.objects.filter(organisation_id=admin.organisation_id)
        .annotate(
            last_status=Subquery(latest.values("status")[:1]),
            last_at=Subquery(latest.values("created_at")[:1]),
            failed_count=Count("deliveries", filter=Q(deliveries__status="failed")),
        )
        .order_by("url", "pk")
    )
    page = Paginator(endpoints, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "webhooks/list.html",
        {"page_obj": page, "endpoints": page.object_list, "organisation": admin.organisation},
    )


@login_required
def endpoint_create(request: AuthenticatedRequest) -> HttpResponse:
    admin = require_org_admin(request.user)
    form = EndpointForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = services.create_endpoint(
                admin.organisation,
                url=form.cleaned_data["url"],
                description=form.cleaned_data["description"],
                events=form.cleaned_data["events"],
                by=request.user,
            )
        except DomainError as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(
                request,
                _("The endpoint is added. Copy its signing secret to the receiving system."),
            )
            return redirect("webhooks:secret", endpoint.pk)
    return render(request, "webhooks/form.html", {"form": form, "endpoint": None})


@login_required
def endpoint_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    endpoint = access_endpoint(request.user, pk)
    filters = DeliveryFilterForm(request.GET or None)
    deliveries = endpoint.deliveries.all()
    if filters.is_valid() and filters.cleaned_data["status"]:
        deliveries = deliveries.filter(status=filters.cleaned_data["status"])
    page = Paginator(
        deliveries.order_by("-created_at", "-pk").prefetch_related("attempt_log"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    # Each payload pretty-printed, shown inside <pre> through autoescaping: data, never markup.
    rows = [(d, json.dumps(d.payload, indent=2, sort_keys=True)) for d in page.object_list]
    return render(
        request,
        "webhooks/detail.html",
        {"endpoint": endpoint, "page_obj": page, "deliveries": rows, "filters": filters},
    )


@login_required
def endpoint_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    endpoint = access_endpoint(request.user, pk)
    initial = {
        "url": endpoint.url,
        "description": endpoint.description,
        "events": endpoint.events,
        "enabled": endpoint.enabled,
    }
    form = EndpointEditForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_endpoint(endpoint, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(request, _("The endpoint is saved."))
            return redirect("webhooks:detail", endpoint.pk)
    return render(request, "webhooks/form.html", {"form": form, "endpoint": endpoint})


@login_required
def endpoint_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    endpoint = access_endpoint(request.user, pk)
    if request.method == "POST":
        try:
            services.delete_endpoint(endpoint, by=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The endpoint is removed, with its delivery log."))
            return redirect("webhooks:list")
    return render(request, "webhooks/delete.html", {"endpoint": endpoint})


@login_required
def endpoint_secret(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    endpoint = access_endpoint(request.user, pk)
    services.record_secret_viewed(endpoint, by=request.user)
    response = render(request, "webhooks/secret.html", {"endpoint": endpoint})
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def endpoint_roll_secret(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    endpoint = access_endpoint(request.user, pk)
    if request.method == "POST":
        try:
            services.roll_secret(endpoint, by=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _(
                    "The endpoint has a new secret. Give it to the receiving system now: "
                    "messages from now on are signed with it."
                ),
            )
            return redirect("webhooks:secret", endpoint.pk)
    return render(request, "webhooks/roll_secret.html", {"endpoint": endpoint})


@login_required
@require_POST
def endpoint_test(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    endpoint = access_endpoint(request.user, pk)
    try:
        services.send_test_event(endpoint, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("A test event is on its way. Its delivery appears in the log below.")
        )
    return redirect("webhooks:detail", endpoint.pk)


@login_required
@require_POST
def delivery_redeliver(request: AuthenticatedRequest, pk: int, delivery_pk: int) -> HttpResponse:
    delivery = access_delivery(request.user, pk, delivery_pk)
    try:
        services.redeliver(delivery, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The delivery is being sent again."))
    return redirect("webhooks:detail", pk)
