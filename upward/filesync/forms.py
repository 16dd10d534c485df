from __future__ import annotations

import urllib.parse
import zoneinfo
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from upward.core.forms import ModelForm
from upward.core.outbound import check_outbound_url
from upward.filesync import fetching
from upward.filesync.models import FileSource

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]
MAX_THRESHOLD = 100_000


class FileSourceForm(ModelForm):
    """The admin's settings. The authorization value is write-only: blank keeps the stored one."""

    secret = forms.CharField(
        label=_("Authorization header value"),
        required=False,
        max_length=1000,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_(
            "Sent as the Authorization header, e.g. “Bearer …” or “Basic …”. Stored encrypted "
            "and never shown again; leave blank to keep the stored value. If you change the "
            "address to another server, the stored value is removed unless you type it again."
        ),
    )
    clear_secret = forms.BooleanField(
        label=_("Remove the stored authorization value"), required=False
    )
    hour = forms.TypedChoiceField(
        label=_("At"),
        coerce=int,
        choices=[(h, f"{h:02d}:00") for h in range(24)],
        help_text=_("In the time zone below."),
    )
    weekday = forms.TypedChoiceField(label=_("On (weekly)"), coerce=int, choices=WEEKDAYS)
    time_zone = forms.CharField(
        label=_("Time zone"),
        max_length=64,
        help_text=_("An IANA name such as Europe/London."),
    )
    max_changes = forms.IntegerField(
        label=_("At most this many people added or changed"),
        min_value=0,
        max_value=MAX_THRESHOLD,
        initial=200,
    )
    max_leavers = forms.IntegerField(
        label=_("At most this many people marked as left"),
        min_value=0,
        max_value=MAX_THRESHOLD,
        initial=20,
    )
    confirm_leavers = forms.BooleanField(
        label=_("I understand: people missing from the file will be marked as left"),
        required=False,
        help_text=_(
            "Their open proposals are withdrawn and their pairings end, as when an admin marks "
            "someone as left."
        ),
    )

    class Meta:
        model = FileSource
        fields = [
            "kind",
            "path",
            "url",
            "file_format",
            "schedule",
            "hour",
            "weekday",
            "time_zone",
            "missing_have_left",
            "auto_apply",
            "max_changes",
            "max_leavers",
        ]
        labels = {
            "kind": _("Where the file is"),
            "path": _("File name in the shared folder"),
            "url": _("Web address of the file"),
            "file_format": _("File format"),
            "schedule": _("Schedule"),
            "missing_have_left": _("People missing from the file have left"),
            "auto_apply": _("Apply automatically when the changes are small"),
        }
        help_texts = {
            "path": _(
                "Relative to your organisation's own folder in the shared folder, e.g. "
                "people.csv or hr/people-*.csv (with *, the newest matching file is used). "
                "Files elsewhere cannot be read."
            ),
            "url": _("https:// address Upward downloads the export from."),
            "missing_have_left": _(
                "Off: only rows with active = no mark people as left. On: everyone active in "
                "Upward but not in the file is marked as left."
            ),
            "auto_apply": _(
                "Scheduled runs without errors and within both limits below are applied at "
                "once. Anything else waits for an admin, and the admins get an email."
            ),
        }
        widgets = {"kind": forms.RadioSelect, "schedule": forms.RadioSelect}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.had_leavers = bool(self.instance.pk and self.instance.missing_have_left)
        self.stored_url = self.instance.url if self.instance.pk else ""
        self.secret_dropped = False
        self.order_fields(
            [
                "kind",
                "path",
                "url",
                "secret",
                "clear_secret",
                "file_format",
                "schedule",
                "hour",
                "weekday",
                "time_zone",
                "missing_have_left",
                "confirm_leavers",
                "auto_apply",
                "max_changes",
                "max_leavers",
            ]
        )
        if not self.instance.auth_header:
            del self.fields["clear_secret"]
        slug = self.instance.organisation.slug if self.instance.organisation_id else ""
        if slug:
            self.fields["path"].help_text = _(
                "Relative to your organisation's own folder, %(folder)s/ in the shared folder "
                "(whoever runs Upward creates it), e.g. people.csv or hr/people-*.csv (with *, "
                "the newest matching file is used). Files elsewhere cannot be read."
            ) % {"folder": slug}

    def clean_time_zone(self) -> str:
        value = self.cleaned_data["time_zone"].strip()
        if value not in zoneinfo.available_timezones():
            raise ValidationError(_("Unknown time zone. Use a name such as Europe/London."))
        return value

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        kind = data.get("kind")
        if kind == FileSource.Kind.FOLDER:
            if fetching.folder_root() is None:
                self.add_error(
                    "kind",
                    _(
                        "This server has no shared folder set up. Use a web address, or ask "
                        "whoever runs Upward to set UPWARD_FILESYNC_ROOT."
                    ),
                )
            try:
                data["path"] = fetching.check_pattern(data.get("path") or "")
            except ValidationError as exc:
                self.add_error("path", exc)
        elif kind == FileSource.Kind.URL:
            url = (data.get("url") or "").strip()
            if not url:
                self.add_error("url", _("Enter the web address of the file."))
            else:
                try:
                    data["url"] = check_outbound_url(url)
                except ValidationError as exc:
                    self.add_error("url", exc)
        if (
            data.get("missing_have_left")
            and not self.had_leavers
            and not data.get("confirm_leavers")
        ):
            self.add_error(
                "confirm_leavers",
                _("Tick this box to confirm that people missing from the file have left."),
            )
        return data

    def changed_settings(self) -> list[str]:
        return [name for name in self.changed_data if name in self.Meta.fields]

    def save(self, commit: bool = True) -> FileSource:
        source: FileSource = super().save(commit=False)
        if self.cleaned_data.get("clear_secret"):
            source.auth_header = ""
        elif self.cleaned_data.get("secret"):
            source.auth_header = self.cleaned_data["secret"]
        elif source.auth_header and origin(source.url) != origin(self.stored_url):
            # The value was given for the old server: never send it to a new one.
            source.auth_header = ""
            self.secret_dropped = True
        if commit:
            source.save()
        return source

    @property
    def secret_changed(self) -> bool:
        return bool(
            self.cleaned_data.get("clear_secret")
            or self.cleaned_data.get("secret")
            or self.secret_dropped
        )


def origin(url: str) -> tuple[str, str, int | None]:
    """Scheme, host and port of an address (the port filled in for http and https)."""
    try:
        parts = urllib.parse.urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return ("", url.strip().lower(), None)
    scheme = parts.scheme.lower()
    if port is None:
        port = {"http": 80, "https": 443}.get(scheme)
    return (scheme, (parts.hostname or "").lower(), port)
