from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from upward.core.errors import Conflict, DomainError
from upward.journey import selectors, services
from upward.journey.models import PairAgreement
from upward.journey.tests.conftest import NOW

pytestmark = pytest.mark.django_db


def _data(**changes):
    data = {
        "confidentiality": "What we say stays between us.",
        "meetings_per_month": Decimal("1"),
        "minutes_per_meeting": 60,
        "ends_on": dt.date(2027, 7, 9),
        "raising_concerns": "We say so, or talk to the programme team.",
    }
    data.update(changes)
    return data


def test_both_confirm_with_time_and_edits_reset(pairs, clock):
    pairing = pairs.pairing
    services.save_agreement(pairing, person=pairs.mentee, data=_data(), by=None)
    agreement = services.confirm_agreement(pairing, person=pairs.mentee, version=1, by=None)
    assert agreement.mentee_confirmed_at == NOW and agreement.mentor_confirmed_at is None
    assert not agreement.is_confirmed

    clock.shift(dt.timedelta(hours=2))
    agreement = services.confirm_agreement(pairing, person=pairs.mentor, version=1, by=None)
    assert agreement.mentor_confirmed_at == NOW + dt.timedelta(hours=2)
    assert agreement.is_confirmed

    # Saving the same words keeps the confirmations; a real change clears them.
    services.save_agreement(pairing, person=pairs.mentor, data=_data(), by=None)
    assert PairAgreement.objects.get(pairing=pairing).is_confirmed
    services.save_agreement(
        pairing, person=pairs.mentor, data=_data(minutes_per_meeting=45), by=None
    )
    agreement = PairAgreement.objects.get(pairing=pairing)
    assert agreement.mentor_confirmed_at is None and agreement.mentee_confirmed_at is None


def test_confirm_before_writing_is_refused(pairs):
    with pytest.raises(DomainError, match="Write the agreement"):
        services.confirm_agreement(pairs.pairing, person=pairs.mentor, version=1, by=None)


def test_someone_else_cannot_write_or_confirm(pairs):
    with pytest.raises(DomainError, match="Only the two people in this pairing can do that"):
        services.save_agreement(pairs.pairing, person=pairs.other.mentor, data=_data(), by=None)
    services.save_agreement(pairs.pairing, person=pairs.mentee, data=_data(), by=None)
    with pytest.raises(DomainError, match="Only the two people in this pairing can do that"):
        services.confirm_agreement(pairs.pairing, person=pairs.other.mentee, version=1, by=None)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"minutes_per_meeting": 5}, "minutes_per_meeting"),
        ({"meetings_per_month": Decimal("9")}, "meetings_per_month"),
        ({"ends_on": dt.date(2026, 1, 1)}, "ends_on"),
        ({"confidentiality": "  "}, "confidentiality"),
    ],
)
def test_bad_agreement_values(pairs, changes, field):
    with pytest.raises(DomainError) as info:
        services.save_agreement(pairs.pairing, person=pairs.mentee, data=_data(**changes), by=None)
    assert info.value.field == field


def test_default_agreement_follows_the_programme(pairs):
    default = selectors.default_agreement(pairs.pairing)
    assert default.ends_on == pairs.pairing.programme.ends_on
    assert default.minutes_per_meeting == 60
    assert "programme team" in default.raising_concerns


def test_confirm_names_the_version_and_a_stale_one_is_refused(pairs):
    pairing = pairs.pairing
    first = services.save_agreement(pairing, person=pairs.mentee, data=_data(), by=None)
    assert first.version == 1
    # The senior saves a change while the mentor still has version 1 open.
    second = services.save_agreement(
        pairing, person=pairs.mentee, data=_data(confidentiality="I may share notes."), by=None
    )
    assert second.version == 2
    with pytest.raises(DomainError, match="changed since you opened it"):
        services.confirm_agreement(pairing, person=pairs.mentor, version=1, by=None)
    agreement = PairAgreement.objects.get(pairing=pairing)
    assert agreement.mentor_confirmed_at is None and not agreement.is_confirmed
    # Saving the same words again is not a new version.
    same = services.save_agreement(
        pairing, person=pairs.mentor, data=_data(confidentiality="I may share notes."), by=None
    )
    assert same.version == 2
    agreement = services.confirm_agreement(pairing, person=pairs.mentor, version=2, by=None)
    assert agreement.mentor_confirmed_at is not None


def test_saving_an_edit_from_a_stale_page_is_refused(pairs):
    pairing = pairs.pairing
    services.save_agreement(pairing, person=pairs.mentee, data=_data(), based_on=0, by=None)
    services.confirm_agreement(pairing, person=pairs.mentee, version=1, by=None)
    services.save_agreement(
        pairing,
        person=pairs.mentor,
        data=_data(confidentiality="Version two."),
        based_on=1,
        by=None,
    )
    # The senior's page still shows version 1.
    with pytest.raises(Conflict, match="Your partner changed the agreement while you were"):
        services.save_agreement(
            pairing, person=pairs.mentee, data=_data(confidentiality="Mine."), based_on=1, by=None
        )
    agreement = PairAgreement.objects.get()
    assert agreement.version == 2 and agreement.confidentiality == "Version two."
