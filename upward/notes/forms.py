from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from upward.core.forms import Form
from upward.notes.services import MAX_BODY, MAX_MESSAGE, MAX_POST, MAX_TITLE


class SharedNoteForm(Form):
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE)
    body = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_(
            "You and your partner can both read and edit this. Every save is kept in the "
            "history. The programme team cannot read it."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class MeetingNoteForm(Form):
    body = forms.CharField(
        label=_("My private note"),
        required=False,
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_(
            "Only you can ever read this: not your partner, not the programme team. "
            "Save it empty to delete it."
        ),
    )


class MessageForm(Form):
    body = forms.CharField(
        label=_("Your message"),
        max_length=MAX_MESSAGE,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class CohortPostForm(Form):
    body = forms.CharField(
        label=_("Your post"),
        max_length=MAX_POST,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Everyone in this cohort and the programme team can read it."),
    )
