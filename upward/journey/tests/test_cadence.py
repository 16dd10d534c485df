import datetime as dt
from decimal import Decimal

import pytest

from upward.journey.cadence import expected_meetings, parse_commitment, progress


@pytest.mark.parametrize(
    ("text", "per_month", "minutes"),
    [
        ("One hour a month for six months", "1", 60),
        ("Two 45-minute sessions a month", "2", 45),
        ("Fortnightly for an hour", "2", 60),
        ("Weekly, 30 minutes", "4", 30),
        ("90 minutes a month", "1", 90),
        ("Half an hour every two weeks", "2", 30),
        ("Once a month, an hour and a half", "1", 90),
        ("", "1", 60),
        ("Whenever suits", "1", 60),
        ("Every two months for 2 hours", "0.5", 120),
    ],
)
def test_parse_commitment(text, per_month, minutes):
    cadence = parse_commitment(text)
    assert cadence.meetings_per_month == Decimal(per_month)
    assert cadence.minutes_per_meeting == minutes


def test_on_track_and_behind():
    start = dt.date(2027, 1, 1)
    assert expected_meetings(per_month=Decimal(1), since=start, today=dt.date(2027, 1, 10)) == 0
    today = dt.date(2027, 4, 20)  # just over 3 months after a fortnight of grace
    assert expected_meetings(per_month=Decimal(1), since=start, today=today) == 3
    assert not progress(
        per_month=Decimal(1), since=start, today=today, held=1, booked=0, minutes_held=60
    ).on_track
    assert progress(
        per_month=Decimal(1), since=start, today=today, held=2, booked=1, minutes_held=120
    ).on_track
