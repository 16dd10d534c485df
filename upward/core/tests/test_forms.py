"""The shared form layer: every form in upward/ uses it, and it refuses what it should."""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil

import pytest
from django import forms

import upward
from upward.core.forms import Form, SafeInputMixin
from upward.core.validation import EARLIEST_DATE, LATEST_DATE, one_line, valid_ids
from upward.organisations.models import Person

HUGE = str(2**70)


def _all_upward_form_classes() -> list[type]:
    for info in pkgutil.walk_packages(upward.__path__, "upward."):
        name = info.name
        if ".tests" in name or ".migrations" in name or ".management" in name:
            continue
        if name.rsplit(".", 1)[-1] in {"forms", "views", "api", "admin"}:
            importlib.import_module(name)
    found: list[type] = []
    stack = list(forms.BaseForm.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        module = cls.__module__
        if module.startswith("upward.") and ".tests" not in module:
            found.append(cls)
    return found


def test_every_form_class_in_upward_uses_the_shared_checks():
    classes = _all_upward_form_classes()
    # The walk must really find the forms, or the test would pass on an empty list.
    assert len(classes) > 40
    assert {c.__name__ for c in classes} >= {"MeetingForm", "PersonForm", "ManagersForm"}
    missing = sorted(
        f"{c.__module__}.{c.__name__}"
        for c in classes
        if not issubclass(c, SafeInputMixin) and c not in {Form}
    )
    assert missing == [], f"Build these on upward.core.forms.Form/ModelForm: {missing}"
    overridden = sorted(
        f"{c.__module__}.{c.__name__}"
        for c in classes
        if issubclass(c, SafeInputMixin) and c._clean_fields is not SafeInputMixin._clean_fields
    )
    assert overridden == [], f"These replace the shared field checks: {overridden}"


class Sample(Form):
    name = forms.CharField(max_length=100, required=False)
    story = forms.CharField(widget=forms.Textarea, required=False)
    day = forms.DateField(required=False)
    at = forms.DateTimeField(required=False)
    tags = forms.MultipleChoiceField(choices=[("a", "a"), ("b\x00", "b")], required=False)

    def clean_name(self) -> str:
        # Runs only on a value the shared rules accepted.
        assert "\n" not in self.cleaned_data["name"]
        return self.cleaned_data["name"]


@pytest.mark.parametrize(
    "value", ["Jo\r\nBcc: all@example.org", "Jo\nBloggs", "Jo\tBloggs", "Jo\x00", "a\u2028b"]
)
def test_single_line_input_refuses_control_characters(value):
    form = Sample({"name": value})
    assert not form.is_valid()
    # Django's own check names a NUL byte; ours names every other control character.
    assert "single line" in form.errors["name"][0] or "Null" in form.errors["name"][0]


def test_ordinary_text_and_line_breaks_in_a_textarea_are_fine():
    form = Sample({"name": "Zoë O’Neill-Smith", "story": "First line\r\n\tSecond line\n"})
    assert form.is_valid(), form.errors


@pytest.mark.parametrize("value", ["Hello\x00", "\x1b[31mred", "a\x7fb", "bell\x07"])
def test_textarea_refuses_other_control_characters(value):
    form = Sample({"story": value})
    assert not form.is_valid()
    assert "control character" in form.errors["story"][0] or "Null" in form.errors["story"][0]


def test_choice_values_are_checked_too():
    form = Sample({"tags": ["b\x00"]})
    assert not form.is_valid()
    assert "tags" in form.errors


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1899-12-31", "2101-01-01"])
def test_dates_outside_the_sensible_range_are_refused_with_the_range(day):
    form = Sample({"day": day, "at": f"{day} 10:00"})
    assert not form.is_valid()
    assert "between 1 January 1900 and 31 December 2100" in form.errors["day"][0]
    assert "at" in form.errors


def test_dates_at_the_edges_of_the_range_are_accepted():
    form = Sample({"day": EARLIEST_DATE.isoformat(), "at": f"{LATEST_DATE.isoformat()} 23:00"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == dt.date(1900, 1, 1)


class People(Form):
    one = forms.ModelChoiceField(queryset=Person.objects.all(), required=False)
    many = forms.ModelMultipleChoiceField(queryset=Person.objects.all(), required=False)


@pytest.mark.django_db
@pytest.mark.parametrize("value", [HUGE, f"-{HUGE}", "9" * 5000])
def test_huge_ids_are_an_invalid_choice_not_a_crash(value):
    form = People({"one": value, "many": [value]})
    assert not form.is_valid()
    assert "valid choice" in form.errors["one"][0]
    assert "valid choice" in form.errors["many"][0]


def test_one_line_flattens_stored_control_characters():
    assert one_line("Jo\r\nBcc: x@example.org\x00") == "Jo Bcc: x@example.org"
    assert one_line("  plain  ") == "plain"


def test_valid_ids_drops_what_cannot_be_an_id():
    assert valid_ids(["3", "x", HUGE, "-1", "0", "3", " 7 ", None]) == [3, 7]
    assert valid_ids(range(1, 100), limit=5) == [1, 2, 3, 4, 5]


def test_every_date_picker_writes_iso_dates_whatever_the_locale():
    import datetime as dt

    from django import forms as django_forms
    from django.utils import translation

    from upward.core.forms import DateInput

    with translation.override("en-gb"):
        html = DateInput().render("day", dt.date(2027, 3, 6))
    assert 'type="date"' in html and 'value="2027-03-06"' in html
    # No form in upward builds a date input that would fall back to the locale's format.
    checked = 0
    for form_class in _all_upward_form_classes():
        for name, field in getattr(form_class, "base_fields", {}).items():
            checked += isinstance(field.widget, django_forms.DateInput)
            widget = field.widget
            if getattr(widget, "input_type", "") == "date":
                assert isinstance(widget, DateInput), f"{form_class.__name__}.{name}"
            assert not (
                isinstance(widget, django_forms.DateInput) and not isinstance(widget, DateInput)
            ), f"{form_class.__name__}.{name} uses a date widget outside upward.core.forms"
    assert checked >= 5  # goals, commitments, check-ins, programmes, people: the walk saw them
