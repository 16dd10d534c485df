from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from upward.core.forms import Form
from upward.core.outbound import check_outbound_url
from upward.notifications.chat import check_slack_webhook_url
from upward.notifications.kinds import Kind


class PreferencesForm(Form):
    """One radio group per kind of notification, built from the known kinds."""

    def __init__(self, *args: Any, current: list[tuple[Kind, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind, delivery in current:
            self.fields[kind.key] = forms.ChoiceField(
                label=kind.label,
                help_text=kind.help_text,
                choices=kind.choices,
                initial=delivery,
                widget=forms.RadioSelect,
            )


class ChatSettingsForm(Form):
    """The organisation's Slack and Teams addresses. Stored values are never put back into the
    page (a blank field keeps what is stored); what the admin just typed is, when the form has
    an error, so nothing they typed is lost."""

    slack_webhook_url = forms.CharField(
        label=_("Slack incoming webhook URL"),
        required=False,
        max_length=500,
        widget=forms.PasswordInput(render_value=True, attrs={"autocomplete": "off"}),
        help_text=_(
            "Posts programme news to one Slack channel. Starts with https://hooks.slack.com/. "
            "Leave blank to keep the one stored."
        ),
    )
    slack_bot_token = forms.CharField(
        label=_("Slack bot token"),
        required=False,
        max_length=300,
        widget=forms.PasswordInput(render_value=True, attrs={"autocomplete": "off"}),
        help_text=_(
            "Starts with xoxb-. Lets people who opt in get a Slack direct message. Needs the "
            "scopes chat:write, users:read.email and im:write. Leave blank to keep the one stored."
        ),
    )
    teams_webhook_url = forms.CharField(
        label=_("Microsoft Teams workflow URL"),
        required=False,
        max_length=1000,
        widget=forms.PasswordInput(render_value=True, attrs={"autocomplete": "off"}),
        help_text=_(
            "From the Teams workflow “Post to a channel when a webhook request is received”. "
            "Posts programme news to that channel. Leave blank to keep the one stored."
        ),
    )
    post_programme_news = forms.BooleanField(
        label=_("Post a short line in the channel when a programme publishes news"),
        required=False,
        initial=True,
        help_text=_(
            "The line says only that there is news and links to Upward; never the news itself."
        ),
    )

    def _clean_url(self, name: str) -> str:
        value = (self.cleaned_data.get(name) or "").strip()
        return check_outbound_url(value) if value else ""

    def clean_slack_webhook_url(self) -> str:
        value = (self.cleaned_data.get("slack_webhook_url") or "").strip()
        return check_slack_webhook_url(value) if value else ""

    def clean_teams_webhook_url(self) -> str:
        return self._clean_url("teams_webhook_url")

    def clean_slack_bot_token(self) -> str:
        value = (self.cleaned_data.get("slack_bot_token") or "").strip()
        if value and not BOT_TOKEN.fullmatch(value):
            raise ValidationError(
                _(
                    "A Slack bot token is xoxb- followed by 10 to 250 letters, digits and "
                    "dashes. "
                    "Copy it from your Slack app's “OAuth & Permissions” page."
                )
            )
        return value


BOT_TOKEN = re.compile(r"xoxb-[A-Za-z0-9-]{10,250}")


class ChatOptInForm(Form):
    slack_direct = forms.BooleanField(
        label=_("Also send me a Slack direct message"),
        required=False,
        help_text=_(
            "For meeting reminders, booking reminders, surveys, applications and programme news "
            "that you get straight away. The message only says there is something new in Upward "
            "and links here; it never says what."
        ),
    )
