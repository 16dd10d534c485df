"""The two helpers views share: a service's DomainError on a form, and the
call-a-service-then-redirect shape."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.test import RequestFactory

from upward.core.errors import Conflict, DomainError
from upward.core.forms import Form, apply_domain_error
from upward.core.shortcuts import act_and_redirect


class NameForm(Form):
    name = forms.CharField()
    body = forms.CharField(required=False)


def bound_form() -> NameForm:
    form = NameForm({"name": "Ada", "body": ""})
    assert form.is_valid()
    return form


def test_the_error_lands_on_the_field_it_names():
    form = bound_form()
    apply_domain_error(form, DomainError("That name is taken.", field="name"))
    assert form.errors == {"name": ["That name is taken."]}


def test_an_error_naming_no_field_of_the_form_lands_above_the_form():
    for field in (None, "email"):
        form = bound_form()
        apply_domain_error(form, DomainError("Not now.", field=field))
        assert form.non_field_errors() == ["Not now."]
        assert "name" not in form.errors and "body" not in form.errors


def test_the_view_may_choose_the_field():
    form = bound_form()
    apply_domain_error(form, DomainError("Too long.", field="name"), field="body")
    assert form.errors == {"body": ["Too long."]}


def test_a_chosen_field_the_form_lacks_falls_back_to_above_the_form():
    form = bound_form()
    apply_domain_error(form, DomainError("Too long."), field="email")
    assert form.non_field_errors() == ["Too long."]


def _request():  # type: ignore[no-untyped-def]
    request = RequestFactory().post("/anything/")
    request._messages = CookieStorage(request)  # type: ignore[attr-defined]
    return request


def _messages(request) -> list[tuple[int, str]]:  # type: ignore[no-untyped-def]
    return [(m.level, m.message) for m in messages.get_messages(request)]


def test_act_and_redirect_reports_success_and_redirects():
    request = _request()
    calls = []
    response = act_and_redirect(
        request, lambda: calls.append("done"), success="Saved.", to="/there/", on_error="/back/"
    )
    assert calls == ["done"]
    assert response.status_code == 302 and response["Location"] == "/there/"
    assert _messages(request) == [(messages.SUCCESS, "Saved.")]


def test_act_and_redirect_shows_the_refusal_and_goes_to_on_error():
    request = _request()

    def refuse() -> None:
        raise Conflict("Someone else got there first.")

    response = act_and_redirect(request, refuse, success="Saved.", to="/there/", on_error="/back/")
    assert response.status_code == 302 and response["Location"] == "/back/"
    assert _messages(request) == [(messages.ERROR, "Someone else got there first.")]


def test_act_and_redirect_without_on_error_goes_to_the_same_place_when_refused():
    request = _request()

    def refuse() -> None:
        raise DomainError("Not allowed.")

    response = act_and_redirect(request, refuse, success="Saved.", to="/there/")
    assert response["Location"] == "/there/"
    assert _messages(request) == [(messages.ERROR, "Not allowed.")]


def test_act_and_redirect_lets_other_errors_through():
    request = _request()

    def crash() -> None:
        raise ValueError("a bug")

    with pytest.raises(ValueError, match="a bug"):
        act_and_redirect(request, crash, success="Saved.", to="/there/")
    assert _messages(request) == []
