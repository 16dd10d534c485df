"""The people search says how many people it found, once, through the page's live region."""

from __future__ import annotations

import json

import pytest
from pytest_django.asserts import assertNotContains

pytestmark = pytest.mark.django_db


def test_search_fragment_announces_the_count(world):
    client = world.client_for(world.admin)
    response = client.get("/people/", {"q": "jess@"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert json.loads(response["HX-Trigger-After-Settle"]) == {"announce": {"message": "1 person"}}
    # The results are not a live region themselves (a whole table would be read out).
    assertNotContains(response, "aria-live")
    response = client.get("/people/", {"q": "nobody-at-all"}, HTTP_HX_REQUEST="true")
    assert json.loads(response["HX-Trigger-After-Settle"])["announce"]["message"] == "0 people"


def test_full_page_load_announces_nothing(world):
    response = world.client_for(world.admin).get("/people/")
    assert response.status_code == 200
    assert "HX-Trigger-After-Settle" not in response
