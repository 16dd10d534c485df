from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from upward.core.forms import Form, ModelForm
from upward.organisations.models import Topic
from upward.resources.models import JOURNEY_STEPS, Kind, Resource


class ResourceForm(ModelForm):
    url = forms.URLField(
        label=_("Link"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("A web address, e.g. https://… Give a link or a file."),
    )
    file = forms.FileField(
        label=_("Or upload a file"),
        required=False,
        help_text=_(
            "PDF, Word, PowerPoint, Excel, OpenDocument, PNG, JPEG, MP3 or text; up to 10 MB."
        ),
    )

    class Meta:
        model = Resource
        fields = ["title", "kind", "summary", "url", "file", "topics", "journey_step"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "topics": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, organisation: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assert isinstance(self.fields["topics"], forms.ModelMultipleChoiceField)
        assert isinstance(self.fields["kind"], forms.ChoiceField)
        assert isinstance(self.fields["journey_step"], forms.ChoiceField)
        self.fields["topics"].queryset = Topic.objects.filter(organisation=organisation).order_by(
            "kind", "name"
        )
        self.fields["kind"].choices = Kind.choices
        self.fields["journey_step"].choices = [("", _("Any step")), *list(JOURNEY_STEPS)]
        if self.instance.pk and self.instance.file:
            self.fields["file"].help_text = _(
                "Leave empty to keep the current file (%(name)s). Up to 10 MB."
            ) % {"name": self.instance.file.name.rsplit("/", 1)[-1]}

    def _post_clean(self) -> None:
        # The service checks the rules (link or file, upload type and size) and explains them.
        pass


class LibraryFilterForm(Form):
    q = forms.CharField(label=_("Search titles"), required=False)
    kind = forms.ChoiceField(label=_("Type"), required=False)
    step = forms.TypedChoiceField(label=_("Step"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assert isinstance(self.fields["kind"], forms.ChoiceField)
        assert isinstance(self.fields["step"], forms.ChoiceField)
        self.fields["kind"].choices = [("", _("All types")), *list(Kind.choices)]
        self.fields["step"].choices = [("", _("All steps")), *list(JOURNEY_STEPS)]
