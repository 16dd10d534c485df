from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from upward.core.forms import Form
from upward.core.outbound import check_outbound_url
from upward.webhooks.models import DeliveryStatus, EventType


class EndpointForm(Form):
    url = forms.CharField(
        label=_("Address"),
        max_length=500,
        help_text=_("Where Upward sends each message, starting with https://."),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=200,
        required=False,
        help_text=_("What this endpoint is for, so other admins know (optional)."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=EventType.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one event to send.")},
    )

    def clean_url(self) -> str:
        # The service checks again, and so does each delivery: a name can move.
        return check_outbound_url(self.cleaned_data["url"])


class EndpointEditForm(EndpointForm):
    enabled = forms.BooleanField(
        label=_("Send messages to this endpoint"),
        required=False,
        help_text=_(
            "Untick to pause it. Nothing is sent while it is off, and nothing is kept for later."
        ),
    )


class DeliveryFilterForm(Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any status")), *DeliveryStatus.choices],
        required=False,
    )
