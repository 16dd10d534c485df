from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from upward.announcements.models import BODY_MAX, TITLE_MAX, AnnouncementAudience
from upward.core.forms import Form


class AnnouncementForm(Form):
    audience = forms.ChoiceField(
        label=_("Who receives it"),
        choices=AnnouncementAudience.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose who receives the announcement.")},
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=TITLE_MAX,
        error_messages={"required": _("Give the announcement a title.")},
    )
    body = forms.CharField(
        label=_("Message"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_(
            "Plain text: line breaks are kept, nothing else is formatted. People are told there "
            "is a new announcement and read it in Upward."
        ),
        error_messages={"required": _("Write the message.")},
    )
    template_key = forms.CharField(required=False, widget=forms.HiddenInput)


class SendForm(AnnouncementForm):
    """The confirmation page's form: the same fields, hidden, and the token that makes one send."""

    send_token = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for name in ("audience", "title"):
            self.fields[name].widget = forms.HiddenInput()
        # Still a textarea, hidden: the shared input rules allow line breaks only in one.
        self.fields["body"].widget = forms.Textarea(attrs={"hidden": True, "rows": 1})
