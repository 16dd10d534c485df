"""Writes for impact. Every service checks its rules, writes inside a transaction, records an
audit entry and sends mail only after commit."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from upward.core.audit import record
from upward.core.errors import DomainError, NotEligible
from upward.core.types import Actor
from upward.impact.models import (
    MAX_CAP_MINUTES,
    MIN_CAP_MINUTES,
    SETTLED_STATUSES,
    Commitment,
    CommitmentFollowUp,
    CommitmentKind,
    CommitmentStatus,
    ImpactSettings,
    RecordShare,
    ThankYouNote,
    Theme,
)
from upward.notifications.outbox import Attachment, queue_email
from upward.notifications.services import notify
from upward.organisations.models import Person
from upward.pairing.models import Pairing, PairingState
from upward.programmes.models import Programme

WRITABLE_STATES = (PairingState.ACTIVE, PairingState.COMPLETED)
FOLLOW_UP_STAGES = (6, 3)
# A follow-up that could not go out on time (the command was not running) is still sent within
# this window; after it, asking would only confuse people.
FOLLOW_UP_GRACE = dt.timedelta(days=60)
MAX_TEXT = 1000
MAX_NOTE = 2000


class NoLineManager(DomainError):
    pass


def add_months(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def _notify(
    person: Person, *, subject: str, template: str, context: dict[str, Any], url: str, key: str
) -> None:
    """Everything impact sends to participants is of the "impact" kind, so people choose once
    (straight away, weekly summary or in Upward only) for follow-ups and thank-you notes."""
    notify(
        person,
        kind="impact",
        subject=subject,
        template=template,
        context={**context, "person": person},
        url=url,
        dedupe_key=key,
    )


# ---------------------------------------------------------------------------------------------
# Settings


def update_impact_settings(
    programme: Programme, *, monthly_cap_minutes: int, by: Actor
) -> ImpactSettings:
    if not MIN_CAP_MINUTES <= monthly_cap_minutes <= MAX_CAP_MINUTES:
        raise DomainError(
            _("Choose a cap between half an hour and 40 hours a month."),
            field="monthly_cap_hours",
        )
    with transaction.atomic():
        row, _created = ImpactSettings.objects.update_or_create(
            programme=programme,
            defaults={"monthly_cap_minutes": monthly_cap_minutes, "updated_by": _user(by)},
        )
        record(
            "impact.settings_updated",
            row,
            by=by,
            organisation=programme.organisation,
            data={"monthly_cap_minutes": monthly_cap_minutes},
        )
    return row


def _user(by: Actor) -> Any:
    return by if getattr(by, "is_authenticated", False) else None


# ---------------------------------------------------------------------------------------------
# Commitments


def _check_commitment_fields(
    *, kind: str, text: str, due_on: dt.date | None, theme: str, today: dt.date, old_due: Any
) -> tuple[str, dt.date | None]:
    text = (text or "").strip()
    if kind not in CommitmentKind.values:
        raise DomainError(_("Choose whether this is a commitment or an insight."), field="kind")
    if not text:
        raise DomainError(_("Write what you will do, or what you learnt."), field="text")
    if len(text) > MAX_TEXT:
        raise DomainError(_("Keep it under %(n)s characters.") % {"n": MAX_TEXT}, field="text")
    if theme and theme not in Theme.values:
        raise DomainError(_("Choose a theme from the list, or none."), field="theme")
    if kind == CommitmentKind.INSIGHT:
        return text, None
    if due_on is not None and due_on != old_due:
        if due_on < today:
            raise DomainError(_("Choose a date from today onwards."), field="due_on")
        if due_on > add_months(today, 36):
            raise DomainError(_("Choose a date within the next three years."), field="due_on")
    return text, due_on


def add_commitment(
    pairing: Pairing,
    *,
    owner: Person,
    kind: str,
    text: str,
    due_on: dt.date | None = None,
    theme: str = "",
    by: Actor,
) -> Commitment:
    if owner.pk not in (pairing.mentor_id, pairing.mentee_id):
        raise NotEligible(_("Only the two people in a pairing can add commitments to it."))
    if pairing.state not in WRITABLE_STATES:
        raise NotEligible(_("Commitments can be added once the pairing has started."))
    text, due_on = _check_commitment_fields(
        kind=kind, text=text, due_on=due_on, theme=theme, today=timezone.localdate(), old_due=None
    )
    with transaction.atomic():
        commitment = Commitment.objects.create(
            pairing=pairing,
            programme_id=pairing.programme_id,
            owner=owner,
            kind=kind,
            text=text,
            due_on=due_on,
            theme=theme,
        )
        # The audit entry names the kind and theme, never the text: it is the owner's alone.
        record(
            "impact.commitment_added",
            commitment,
            by=by,
            organisation=pairing.programme.organisation,
            data={"kind": kind, "theme": theme},
        )
    return commitment


def update_commitment(
    commitment: Commitment,
    *,
    text: str,
    due_on: dt.date | None,
    theme: str,
    by: Actor,
) -> Commitment:
    text, due_on = _check_commitment_fields(
        kind=commitment.kind,
        text=text,
        due_on=due_on,
        theme=theme,
        today=timezone.localdate(),
        old_due=commitment.due_on,
    )
    with transaction.atomic():
        commitment.text, commitment.due_on, commitment.theme = text, due_on, theme
        commitment.save(update_fields=["text", "due_on", "theme", "updated_at"])
        record(
            "impact.commitment_updated",
            commitment,
            by=by,
            organisation=commitment.programme.organisation,
            data={"theme": theme},
        )
    return commitment


def set_commitment_status(commitment: Commitment, *, status: str, by: Actor) -> Commitment:
    if not commitment.is_commitment:
        raise DomainError(_("Insights have no status: there is nothing to report on."))
    if status not in CommitmentStatus.values or status == CommitmentStatus.OPEN:
        raise DomainError(
            _("Choose done, in progress, not done or no longer relevant."), field="status"
        )
    with transaction.atomic():
        commitment.status = status
        commitment.status_updated_at = timezone.now()
        commitment.save(update_fields=["status", "status_updated_at", "updated_at"])
        record(
            "impact.commitment_status",
            commitment,
            by=by,
            organisation=commitment.programme.organisation,
            data={"status": status},
        )
    return commitment


def delete_commitment(commitment: Commitment, *, by: Actor) -> None:
    with transaction.atomic():
        record(
            "impact.commitment_deleted",
            commitment,
            by=by,
            organisation=commitment.programme.organisation,
            data={"kind": commitment.kind},
        )
        commitment.delete()


# ---------------------------------------------------------------------------------------------
# Follow-ups


def _stage_due(ends_on: dt.date, today: dt.date) -> int | None:
    for stage in FOLLOW_UP_STAGES:
        due = add_months(ends_on, stage)
        if due <= today:
            return stage if today - due <= FOLLOW_UP_GRACE else None
    return None


def send_impact_reminders(*, now: dt.datetime | None = None, dry_run: bool = False) -> int:
    """Ask about each open commitment three and six months after its programme ended.

    Idempotent: a CommitmentFollowUp row per commitment and stage is written before the
    notification, so running the command twice sends once. If the three-month question was
    missed and six months have passed, only the six-month one is asked. Returns how many went
    (with `dry_run`, how many would go; nothing is written).
    """
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    candidates = (
        Commitment.objects.filter(
            kind=CommitmentKind.COMMITMENT,
            programme__ends_on__lte=add_months(today, -3),
            owner__is_active=True,
        )
        .exclude(status__in=SETTLED_STATUSES)
        .select_related("programme", "owner")
        .order_by("id")
    )
    sent = 0
    for commitment in candidates.iterator(chunk_size=500):
        stage = _stage_due(commitment.programme.ends_on, today)
        if stage is None:
            continue
        if dry_run:
            if not CommitmentFollowUp.objects.filter(commitment=commitment, stage=stage).exists():
                sent += 1
            continue
        try:
            with transaction.atomic():
                _follow_up, created = CommitmentFollowUp.objects.get_or_create(
                    commitment=commitment, stage=stage, defaults={"sent_at": now}
                )
                if not created:
                    continue
                _notify(
                    commitment.owner,
                    subject=_("Did you do what you set out to do?"),
                    template="impact/email/follow_up.txt",
                    context={"stage": stage, "programme": commitment.programme.name},
                    url=reverse("impact:commitments", args=[commitment.pairing_id]),
                    key=f"impact:commitment:{commitment.pk}:follow-up:{stage}",
                )
        except IntegrityError:
            continue  # another run got there first
        sent += 1
    return sent


# ---------------------------------------------------------------------------------------------
# Thank-you notes and the contribution record


def write_thank_you(pairing: Pairing, *, author: Person, text: str, by: Actor) -> ThankYouNote:
    if author.pk != pairing.mentee_id:
        raise NotEligible(_("Only the mentee writes a thank-you note to their mentor."))
    if pairing.state not in WRITABLE_STATES:
        raise NotEligible(_("A thank-you note can be written once the pairing has started."))
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Write a few words to your mentor."), field="text")
    if len(text) > MAX_NOTE:
        raise DomainError(_("Keep it under %(n)s characters.") % {"n": MAX_NOTE}, field="text")
    with transaction.atomic():
        note, created = ThankYouNote.objects.select_for_update().get_or_create(
            pairing=pairing, defaults={"author": author, "text": text}
        )
        if not created:
            note.text = text
            note.save(update_fields=["text", "updated_at"])
        record(
            "impact.thank_you_written" if created else "impact.thank_you_updated",
            note,
            by=by,
            organisation=pairing.programme.organisation,
        )
        if created:
            # A neutral line and a link: the note itself is read in Upward.
            _notify(
                pairing.mentor,
                subject=_("Your mentee has written you a thank-you note"),
                template="impact/email/thank_you.txt",
                context={"programme": pairing.programme.name},
                url=reverse("impact:contribution", args=[pairing.pk]),
                key=f"impact:thank-you:{note.pk}",
            )
    return note


def set_thank_you_visibility(note: ThankYouNote, *, show: bool, by: Actor) -> ThankYouNote:
    with transaction.atomic():
        note.show_when_shared = show
        note.save(update_fields=["show_when_shared", "updated_at"])
        record(
            "impact.thank_you_visibility",
            note,
            by=by,
            organisation=note.pairing.programme.organisation,
            data={"show_when_shared": show},
        )
    return note


def share_record_with_line_manager(pairing: Pairing, *, mentor: Person, by: Actor) -> RecordShare:
    """Only ever called from the mentor's explicit "Send to my line manager" action.

    The email holds a neutral summary (programme, dates, sessions, hours, events) and the
    shared PDF; the thank-you note goes only if the mentor chose to show it.
    """
    from upward.impact import pdf, selectors

    if mentor.pk != pairing.mentor_id:
        raise NotEligible(_("Only the mentor can share their contribution record."))
    line_manager = mentor.manager
    if line_manager is None or not line_manager.is_active or not line_manager.email:
        raise NoLineManager(
            _(
                "We do not know your line manager, so there is nobody to send this to. Ask your "
                "organisation's Upward admin to add them to your directory entry, or download "
                "the PDF and send it yourself."
            )
        )
    record_ = selectors.contribution_record(pairing)
    document = pdf.contribution_pdf(record_, shared=True)
    body = render_to_string(
        "impact/email/share.txt",
        {"record": record_, "line_manager": line_manager, "mentor": mentor},
    )
    subject = _("%(name)s's contribution to reverse mentoring") % {"name": mentor.full_name}
    attachment = Attachment(
        f"contribution-{slugify(mentor.full_name) or 'record'}.pdf", document, "application/pdf"
    )
    with transaction.atomic():
        share = RecordShare.objects.create(
            pairing=pairing,
            mentor=mentor,
            line_manager=line_manager,
            sent_to_email=line_manager.email,
            included_thank_you=record_.shared_thank_you is not None,
        )
        record(
            "impact.record_shared",
            share,
            by=by,
            organisation=pairing.programme.organisation,
            data={"line_manager": line_manager.pk},
        )
        queue_email(
            to=[line_manager.email],
            subject=subject,
            body=body,
            attachments=[attachment],
            reply_to=[mentor.email] if mentor.email else [],
            person=line_manager,
            organisation=pairing.programme.organisation.name,
            reason=_(
                "You are getting this email because %(name)s chose to share their record with "
                "you as their line manager."
            )
            % {"name": mentor.full_name},
            # Not one of the notices people choose about: the mentor sent it, once.
            preferences=False,
        )
    return share
