"""The import template CSV goes through the same formula escaping as every export."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from upward.organisations.models import Level

pytestmark = pytest.mark.django_db


def test_template_escapes_level_names_that_look_like_formulas(world):
    Level.objects.filter(organisation=world.org, rank=9).update(name="=cmd|' /C calc'!A0")
    response = world.client_for(world.admin).get(reverse("organisations:import_template"))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert "'=cmd|' /C calc'!A0" in rows[1]
