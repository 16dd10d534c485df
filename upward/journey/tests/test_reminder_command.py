import datetime as dt

from django.core import mail
from django.core.management import call_command

from upward.journey.tests.helpers import book


def test_command_reminds_both_people_once_however_often_cron_runs_it(
    pairs, clock, capsys, django_capture_on_commit_callbacks
):
    meeting = book(pairs, days=2)
    mail.outbox.clear()
    clock.move_to(meeting.starts_at - dt.timedelta(hours=20))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_journey_reminders")
        call_command("send_journey_reminders")
    reminders = [m for m in mail.outbox if "Tomorrow" in m.subject]
    assert sorted(m.to[0] for m in reminders) == sorted([pairs.mentee.email, pairs.mentor.email])
    out = capsys.readouterr().out
    assert "Sent 1 meeting reminder(s)" in out
    assert "Sent 0 meeting reminder(s)" in out
