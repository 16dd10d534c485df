"""The outbox for an operator: who was sent what subject, when, and what failed. Read-only, and
never the body, HTML or attachment bytes (docs/notifications.md)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from upward.notifications import outbox
from upward.notifications.models import OutboundEmail, OutboundState


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "recipients",
        "subject",
        "created_at",
        "attempts",
        "last_error",
        "status",
        "finished_at",
    )
    list_filter = ("state", "created_at")
    search_fields = ("subject",)
    date_hierarchy = "created_at"
    actions = ["send_again"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.list_display

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.list_display

    def get_queryset(self, request: HttpRequest) -> QuerySet[OutboundEmail]:
        # The encrypted text is never loaded, let alone shown.
        return super().get_queryset(request).defer("body", "html")

    @admin.display(description="to")
    def recipients(self, obj: OutboundEmail) -> str:
        return ", ".join(obj.to)

    @admin.display(description="state", ordering="state")
    def status(self, obj: OutboundEmail) -> str:
        if obj.state == OutboundState.QUEUED and obj.attempts:
            return "failing, will retry"
        return str(obj.get_state_display())

    def has_resend_permission(self, request: HttpRequest) -> bool:
        # Viewing the list is not enough to act on it.
        return bool(request.user.is_superuser)

    @admin.action(
        description="Send again (failing emails, on the next flush)",
        permissions=["resend"],
    )
    def send_again(self, request: HttpRequest, queryset: QuerySet[OutboundEmail]) -> None:
        chosen = queryset.count()
        retried = outbox.send_again(queryset)
        self.message_user(request, f"{retried} email(s) will be tried again on the next flush.")
        if chosen > retried:
            self.message_user(
                request,
                f"{chosen - retried} email(s) were left alone: only failing emails still waiting "
                "can be sent again. A given-up or cancelled email's text was cleared; repeat "
                "what sent it (an invitation, say).",
                level=messages.WARNING,
            )
