"""A filter value a list page does not know is named on the page, never ignored in silence.

Addresses are shared, bookmarked and hand-edited, so `?status=bogus` reaches every list with
filters. The page still answers 200 with the whole list, and says which filter it left out.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains


def pages(pairs):  # type: ignore[no-untyped-def]
    world = pairs.world
    programme = world.programme.pk
    return [
        (world.manager, reverse("recruitment:review", args=[programme]), "status", "Status"),
        (world.manager, reverse("recruitment:review", args=[programme]), "role", "Role"),
        (world.admin, reverse("organisations:people"), "status", "Status"),
        (world.admin, reverse("organisations:people"), "level", "Level"),
        (world.manager, reverse("pairing:pairings", args=[programme]), "state", "State"),
        (world.manager, reverse("programmes:list"), "state", "Stage"),
        (pairs.mentor, reverse("resources:library"), "kind", "Type"),
    ]


@pytest.mark.parametrize("index", range(7))
def test_an_unknown_filter_value_is_named_and_the_list_shows_all(pairs, index):
    person, url, name, label = pages(pairs)[index]
    client = pairs.world.client_for(person)
    response = client.get(url, {name: "bogus<b>"})
    assertContains(response, "Unknown filter", status_code=200)
    assertContains(response, f"{label} “bogus&lt;b&gt;”", status_code=200)
    assertContains(response, "showing all", status_code=200)
    assertNotContains(response, "bogus<b>", status_code=200)
    plain = client.get(url)
    assertNotContains(plain, "Unknown filter", status_code=200)
