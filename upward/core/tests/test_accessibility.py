"""Forms explain themselves (docs/accessibility.md): the error summary, its links, the "Error:"
title, and the references from each field and group to its messages. Fast template tests; the
browser side (focus on the summary) is in tests/browser/test_accessibility.py."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.template import Context, Template
from django.urls import reverse
from pytest_django.asserts import assertNotContains

from upward.core.forms import Form
from upward.core.templatetags.a11y import error_summary_items

pytestmark = pytest.mark.django_db


class SampleForm(Form):
    name = forms.CharField(label="Your name", help_text="As colleagues know you.")
    colour = forms.ChoiceField(
        label="Favourite colour",
        choices=[("red", "Red"), ("blue", "Blue")],
        widget=forms.RadioSelect,
        help_text="Pick one.",
    )
    days = forms.MultipleChoiceField(
        label="Days",
        choices=[("mon", "Monday"), ("tue", "Tuesday")],
        widget=forms.CheckboxSelectMultiple,
    )
    token = forms.CharField(widget=forms.HiddenInput)

    def clean(self):  # type: ignore[no-untyped-def]
        raise forms.ValidationError("The whole form is wrong <b>too</b>.")


def render(source: str, **context: object) -> str:
    return Template("{% load a11y %}" + source).render(Context(context))


def test_summary_lists_each_error_with_a_link_to_its_control() -> None:
    form = SampleForm(data={})
    assert not form.is_valid()
    items = error_summary_items(form)
    targets = [i.target for i in items]
    # The form's own error first, without a link; then the fields in order. A group links to
    # its first option; a hidden field has nothing to focus and is named instead.
    assert targets == ["", "id_name", "id_colour_0", "id_days_0", ""]
    assert items[-1].message.startswith("Token: ")


def test_summary_html_is_an_alert_with_a_heading_and_links() -> None:
    form = SampleForm(data={})
    form.is_valid()
    html = render("{% include 'includes/form.html' %}", form=form)
    summary = html.split('<div class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert 'role="alert"' in summary and 'tabindex="-1"' in summary
    assert "There is a problem" in summary
    assert '<a href="#id_name">Your name: This field is required.</a>' in summary
    assert '<a href="#id_colour_0">' in summary
    # Messages are escaped like any other text.
    assert "&lt;b&gt;too&lt;/b&gt;" in summary and "<b>too" not in html
    # The form's own error is said once, in the summary.
    assert html.count("The whole form is wrong") == 1


def test_no_summary_for_a_fresh_or_a_valid_form() -> None:
    assert "error-summary" not in render("{% include 'includes/form.html' %}", form=SampleForm())
    assert "error-summary" not in render("{% include 'includes/form_errors.html' %}", form=None)


def test_groups_and_inputs_point_at_their_messages() -> None:
    form = SampleForm(data={})
    form.is_valid()
    html = str(form)
    fieldset = re.search(r"<fieldset[^>]*>\s*<legend>Favourite colour", html)
    assert fieldset, html
    tag = fieldset.group(0)
    assert 'aria-invalid="true"' in tag
    assert 'aria-describedby="id_colour_helptext id_colour_error"' in tag
    assert 'id="id_colour_error"' in html and 'id="id_colour_helptext"' in html
    days = re.search(r"<fieldset[^>]*>\s*<legend>Days", html)
    assert days and 'aria-describedby="id_days_error"' in days.group(0)
    name_input = re.search(r'<input type="text" name="name"[^>]*>', html)
    assert name_input
    assert 'aria-invalid="true"' in name_input.group(0)
    assert 'aria-describedby="id_name_helptext id_name_error"' in name_input.group(0)
    assert 'id="id_name_error"' in html


def test_a_group_without_errors_is_not_marked_invalid() -> None:
    form = SampleForm(data={"colour": "red"})
    form.is_valid()
    tag = re.search(r"<fieldset[^>]*>\s*<legend>Favourite colour", str(form))
    assert tag and "aria-invalid" not in tag.group(0)
    assert 'aria-describedby="id_colour_helptext"' in tag.group(0)


def test_title_prefix_only_for_a_form_that_failed() -> None:
    failed = SampleForm(data={})
    failed.is_valid()
    assert render("{% error_title_prefix %}", form=failed) == "Error: "
    assert render("{% error_title_prefix %}", other_name=failed) == "Error: "
    assert render("{% error_title_prefix %}", form=SampleForm()) == ""
    # A bound form nobody validated is not validated by the title (no side effects).
    untouched = SampleForm(data={})
    assert render("{% error_title_prefix %}", form=untouched) == ""
    assert getattr(untouched, "_errors", None) is None


def test_a_failed_submit_page_has_error_title_summary_and_alert(pairs, world) -> None:
    client = world.client_for(pairs.mentor)
    url = reverse("safety:raise_concern", args=[pairs.pairing.pk])
    fresh = client.get(url)
    assert fresh.status_code == 200
    assert not re.search(r"<title>Error: ", fresh.content.decode())
    response = client.post(url, {"text": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r"<title>Error: ", html)
    assert html.count("There is a problem") == 1  # at the top of the page, not again in the form
    assert html.index("There is a problem") < html.index("<h1")
    assert (
        '<a href="#id_text">What is worrying you? Please write a few words so the team can help.</a>'
        in html
    )
    assert 'aria-describedby="id_text_helptext id_text_error"' in html


def test_flash_errors_are_alerts_and_others_status(rf) -> None:
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.messages.storage.base import Message
    from django.template.loader import render_to_string

    request = rf.get("/")
    request.user = AnonymousUser()
    flashes = [Message(40, "It went wrong"), Message(25, "Saved")]
    html = render_to_string("base.html", {"messages": flashes}, request=request)
    assert '<div class="alert alert--error" role="alert">It went wrong</div>' in html
    assert '<div class="alert alert--success" role="status">Saved</div>' in html
    # The live region htmx actions speak through sits outside <main>, which swaps replace parts of.
    assert html.index('id="announcer"') > html.index("</main>")


def test_a_form_laid_out_by_hand_gets_the_summary_too(world) -> None:
    client = world.client_for(world.admin)
    response = client.post(reverse("organisations:person_create"), {})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith("<!doctype html>") and "<title>Error: " in html
    assert html.count("There is a problem") == 1
    assert '<a href="#id_full_name">' in html and '<a href="#id_email">' in html


def test_someone_elses_form_page_is_404_not_a_summary(world) -> None:
    response = world.client_for(world.applicant).post(reverse("organisations:person_create"), {})
    assertNotContains(response, "There is a problem", status_code=404)
