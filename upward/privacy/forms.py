from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from upward.core.forms import Form
from upward.privacy import retention


class EraseForm(Form):
    confirm_name = forms.CharField(
        label=_("Type the person's full name to confirm"),
        max_length=200,
        help_text=_("Erasing cannot be undone."),
    )

    def __init__(self, *args: Any, expected: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.expected = expected

    def clean_confirm_name(self) -> str:
        value = " ".join(self.cleaned_data["confirm_name"].split())
        if value.casefold() != " ".join(self.expected.split()).casefold():
            raise forms.ValidationError(_("That is not their name as the directory has it."))
        return value


class RetentionForm(Form):
    """One field per category: whole months, or empty to keep (where the category allows)."""

    def __init__(self, *args: Any, current: dict[str, int | None], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for category in retention.CATEGORIES:
            default = (
                _("default: %(n)s") % {"n": category.default}
                if category.default is not None
                else _("default: kept")
            )
            keep = _("Leave empty to keep it. ") if category.may_keep else ""
            self.fields[category.key] = forms.IntegerField(
                label=category.label,
                required=False,
                initial=current.get(category.key),
                help_text=f"{keep}{_('Number of')} {category.clock} ({default}).",
            )
            self.fields[category.key].widget.attrs.update({"inputmode": "numeric"})

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for category in retention.CATEGORIES:
            if category.key in self.errors:
                continue
            problem = retention.validate_months(category, cleaned.get(category.key))
            if problem:
                self.add_error(category.key, problem)
        return cleaned
