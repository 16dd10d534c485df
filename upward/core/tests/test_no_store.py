"""Private pages are never stored by a browser or a proxy cache (Cache-Control: no-store)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpResponse
from django.test import Client, RequestFactory

from upward.core.middleware import NoStoreMiddleware
from upward.journey.tests.factories import active_pairing, builtin_version


def no_store(response) -> bool:  # type: ignore[no-untyped-def]
    return "no-store" in response.get("Cache-Control", "")


@pytest.fixture
def pairing(world):  # type: ignore[no-untyped-def]
    builtin_version()
    return active_pairing(world.programme, mentor=world.applicant, mentee=world.senior)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "page",
    ["/pairings/{pk}/messages/", "/pairings/{pk}/private-notes/", "/pairings/{pk}/concern/"],
)
def test_the_mentors_private_pages_are_never_stored(world, pairing, page):
    response = world.client_for(world.applicant).get(page.format(pk=pairing.pk))
    assert response.status_code == 200
    assert no_store(response), response.get("Cache-Control")
    assert "private" in response["Cache-Control"]


@pytest.mark.django_db
def test_every_signed_in_page_is_never_stored(world):
    for path in ("/dashboard/", "/my-concerns/", "/people/"):
        response = world.client_for(world.admin).get(path)
        assert response.status_code == 200, path
        assert no_store(response), path


@pytest.mark.django_db
def test_a_page_that_reads_the_session_is_never_stored_even_signed_out():
    response = Client().get("/accounts/login/")
    assert response.status_code == 200
    assert no_store(response)


def _respond(request):  # type: ignore[no-untyped-def]
    return HttpResponse("ok")


@pytest.mark.django_db
def test_static_files_and_pages_that_never_touch_the_session_may_be_cached(world):
    middleware = NoStoreMiddleware(_respond)
    factory = RequestFactory()

    static = factory.get("/static/css/app.css")
    static.user = world.admin.user
    static.session = SessionStore()
    assert not no_store(middleware(static))

    public = factory.get("/healthz-like")
    public.user = AnonymousUser()
    public.session = SessionStore()  # never read by the view
    assert not no_store(middleware(public))

    signed_in = factory.get("/anything/")
    signed_in.user = world.admin.user
    signed_in.session = SessionStore()
    assert no_store(middleware(signed_in))
