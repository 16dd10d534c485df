"""Aggregate survey results of a programme, for its team, with the reports' small-group
suppression (upward.core.suppression through the surveys selectors the outcomes page uses).

Only aggregates: never an individual answer, never a comment. A figure the page hides comes out
as `null` next to `"suppressed": true`; the count behind it is hidden with it.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from upward.accounts.models import TokenScope
from upward.api import programme_access
from upward.api.access import api_person
from upward.impact.selectors import CommitmentReport
from upward.insight.report import (
    FUNNEL_STAGES,
    MET,
    NOT_MEASURABLE,
    NOT_YET,
    Engagement,
    ProgrammeReport,
    RetentionRow,
    programme_report,
)
from upward.safety.selectors import PulseSummary
from upward.surveys.outcomes import PairedChange, round_share
from upward.surveys.selectors import PairedItem, SingleItem, programme_outcomes


class ChangeSerializer(serializers.Serializer):
    n = serializers.IntegerField()
    improved_percent = serializers.IntegerField()
    mean_start = serializers.FloatField()
    mean_end = serializers.FloatField()
    mean_change = serializers.FloatField()
    ci95_low = serializers.FloatField(allow_null=True)
    ci95_high = serializers.FloatField(allow_null=True)
    top_two_start_percent = serializers.IntegerField()
    top_two_end_percent = serializers.IntegerField()


class CellSerializer(serializers.Serializer):
    label = serializers.CharField()
    n = serializers.IntegerField(allow_null=True)
    suppressed = serializers.BooleanField()
    change = ChangeSerializer(allow_null=True)


class BreakdownSerializer(serializers.Serializer):
    title = serializers.CharField()
    threshold = serializers.IntegerField()
    cells = CellSerializer(many=True)


class PairedItemSerializer(serializers.Serializer):
    item_key = serializers.CharField()
    text = serializers.CharField()
    comparison = serializers.CharField()
    timing = serializers.CharField()
    n = serializers.IntegerField(allow_null=True)
    suppressed = serializers.BooleanField()
    change = ChangeSerializer(allow_null=True)
    breakdowns = BreakdownSerializer(many=True)


class SummarySerializer(serializers.Serializer):
    n = serializers.IntegerField()
    mean = serializers.FloatField()
    top_two_percent = serializers.IntegerField()


class SingleItemSerializer(serializers.Serializer):
    item_key = serializers.CharField()
    text = serializers.CharField()
    survey_title = serializers.CharField()
    kind = serializers.CharField()
    n = serializers.IntegerField(allow_null=True)
    suppressed = serializers.BooleanField()
    summary = SummarySerializer(allow_null=True)
    change = ChangeSerializer(allow_null=True)
    nps = serializers.FloatField(allow_null=True)
    choice_counts = serializers.DictField(child=serializers.IntegerField(), allow_null=True)


class SurveyResultsSerializer(serializers.Serializer):
    programme = serializers.IntegerField()
    min_group = serializers.IntegerField()
    special_min_group = serializers.IntegerField()
    respondents = serializers.IntegerField(allow_null=True)
    respondents_suppressed = serializers.BooleanField()
    paired = PairedItemSerializer(many=True)
    retrospective = SingleItemSerializer(many=True)
    post_only = SingleItemSerializer(many=True)
    choices = SingleItemSerializer(many=True)


def _change(change: PairedChange | None) -> dict[str, Any] | None:
    if change is None:
        return None
    return {
        "n": change.n,
        "improved_percent": round_share(change.improved_share),
        "mean_start": change.mean_start,
        "mean_end": change.mean_end,
        "mean_change": change.mean_change,
        "ci95_low": change.ci_low,
        "ci95_high": change.ci_high,
        "top_two_start_percent": round_share(change.top_two_start),
        "top_two_end_percent": round_share(change.top_two_end),
    }


def _paired(item: PairedItem) -> dict[str, Any]:
    suppressed = item.change is None
    return {
        "item_key": item.item_key,
        "text": item.text,
        "comparison": str(item.comparison),
        "timing": item.timing,
        "n": None if suppressed else item.n,
        "suppressed": suppressed,
        "change": _change(item.change),
        "breakdowns": [
            {
                "title": str(breakdown.title),
                "threshold": breakdown.threshold,
                "cells": [
                    {
                        "label": str(cell.label),
                        "n": None if cell.hidden or cell.change is None else cell.n,
                        "suppressed": cell.hidden or cell.change is None,
                        "change": None if cell.hidden else _change(cell.change),
                    }
                    for cell in breakdown.cells
                ],
            }
            for breakdown in item.breakdowns
        ],
    }


def _single(item: SingleItem) -> dict[str, Any]:
    shown = (
        item.summary is not None
        or item.change is not None
        or item.nps is not None
        or bool(item.choice_counts)
    )
    summary = item.summary
    return {
        "item_key": item.item_key,
        "text": item.text,
        "survey_title": item.survey_title,
        "kind": item.kind,
        "n": item.n if shown else None,
        "suppressed": not shown,
        "summary": (
            {"n": summary.n, "mean": summary.mean, "top_two_percent": round_share(summary.top_two)}
            if summary is not None
            else None
        ),
        "change": _change(item.change),
        "nps": item.nps,
        "choice_counts": dict(item.choice_counts) if item.choice_counts else None,
    }


@extend_schema(tags=["reports"])
class SurveyResultsView(APIView):
    """A programme's survey results, for its team: the outcomes page's figures, aggregates only."""

    read_scope = TokenScope.REPORTS_READ

    @extend_schema(responses=SurveyResultsSerializer, operation_id="programme_survey_results")
    def get(self, request: Request, programme_pk: int) -> Response:
        programme = programme_access.team_programme(request, programme_pk)
        result = programme_outcomes(programme)
        respondents_shown = result.respondents == 0 or result.respondents >= result.min_group
        data = {
            "programme": programme.pk,
            "min_group": result.min_group,
            "special_min_group": result.special_min_group,
            "respondents": result.respondents if respondents_shown else None,
            "respondents_suppressed": not respondents_shown,
            "paired": [_paired(item) for item in result.paired],
            "retrospective": [_single(item) for item in result.retrospective],
            "post_only": [_single(item) for item in result.post_only],
            "choices": [_single(item) for item in result.choices],
        }
        return Response(SurveyResultsSerializer(data).data)


# ---------------------------------------------------------------------------------------------
# The programme report (upward.insight.report): its figures as data, with the page's
# suppression. No chart, no HTML, no logo; nothing a participant wrote.


class VerdictSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=[MET, NOT_YET, NOT_MEASURABLE])
    label = serializers.CharField()
    reason = serializers.CharField()
    measured_by = serializers.CharField(help_text="The survey question linked to the measure.")
    change = ChangeSerializer(allow_null=True)


class FunnelRowSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=list(FUNNEL_STAGES))
    label = serializers.CharField()
    mentors = serializers.IntegerField()
    mentees = serializers.IntegerField()


class MonthRowSerializer(serializers.Serializer):
    month = serializers.DateField(help_text="The first day of the month.")
    held = serializers.IntegerField()
    expected = serializers.IntegerField()


class StepRowSerializer(serializers.Serializer):
    title = serializers.CharField()
    pairs = serializers.IntegerField()


class RiskKindSerializer(serializers.Serializer):
    label = serializers.CharField()
    pairs = serializers.IntegerField()


class EngagementSerializer(serializers.Serializer):
    pairs = serializers.IntegerField(help_text="Pairings that went ahead.")
    meetings_held = serializers.IntegerField()
    meetings_per_month = serializers.FloatField(help_text="What the commitment asks of a pair.")
    held_per_pair = serializers.FloatField(allow_null=True)
    expected_per_pair = serializers.IntegerField()
    months = MonthRowSerializer(many=True)
    steps = StepRowSerializer(many=True)
    at_risk_judged = serializers.BooleanField(
        help_text="False while the programme is not matching or running: nobody is judged."
    )
    at_risk = serializers.IntegerField(allow_null=True)
    at_risk_suppressed = serializers.BooleanField()
    at_risk_kinds = RiskKindSerializer(
        many=True, help_text="Only for callers who may read the programme's safety pages."
    )


class GoalsSerializer(serializers.Serializer):
    pairs = serializers.IntegerField()
    pairs_with_goals = serializers.IntegerField()
    goals = serializers.IntegerField()
    achieved = serializers.IntegerField()
    achieved_percent = serializers.IntegerField(allow_null=True)
    in_progress = serializers.IntegerField()
    tasks = serializers.IntegerField()
    tasks_done = serializers.IntegerField()
    tasks_done_percent = serializers.IntegerField(allow_null=True)


class OutcomeRowSerializer(serializers.Serializer):
    text = serializers.CharField()
    comparison = serializers.CharField()
    n = serializers.IntegerField(allow_null=True)
    suppressed = serializers.BooleanField()
    change = ChangeSerializer(allow_null=True)


class OutcomesSerializer(serializers.Serializer):
    respondents = serializers.IntegerField(allow_null=True)
    respondents_suppressed = serializers.BooleanField()
    rows = OutcomeRowSerializer(many=True)


class PulseSerializer(serializers.Serializer):
    responses = serializers.IntegerField(allow_null=True)
    suppressed = serializers.BooleanField()
    spoke_openly = serializers.FloatField(allow_null=True)
    felt_listened_to = serializers.FloatField(allow_null=True)
    worth_my_time = serializers.FloatField(allow_null=True)
    low_percent = serializers.IntegerField(allow_null=True)


class CountRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField(allow_null=True)
    suppressed = serializers.BooleanField()


class CommitmentsSerializer(serializers.Serializer):
    suppressed = serializers.BooleanField(
        help_text="True until enough leaders have made enough commitments: then every count "
        "is null."
    )
    commitments = serializers.IntegerField(allow_null=True)
    leaders = serializers.IntegerField(allow_null=True)
    done_or_in_progress = serializers.IntegerField(allow_null=True)
    by_status = CountRowSerializer(many=True)
    by_theme = CountRowSerializer(many=True)


class MentorTimeSerializer(serializers.Serializer):
    mentors = serializers.IntegerField()
    mentors_who_gave = serializers.IntegerField()
    hours = serializers.FloatField()
    sessions = serializers.IntegerField()
    events = serializers.IntegerField()
    average_hours = serializers.FloatField(allow_null=True)
    average_hours_suppressed = serializers.BooleanField()


class RetentionRowSerializer(serializers.Serializer):
    months = serializers.IntegerField()
    due_on = serializers.DateField()
    available = serializers.BooleanField()
    participants_percent = serializers.IntegerField(allow_null=True)
    participants_suppressed = serializers.BooleanField()
    others_percent = serializers.IntegerField(allow_null=True)
    others_suppressed = serializers.BooleanField()


class RetentionSerializer(serializers.Serializer):
    note = serializers.CharField(allow_blank=True)
    rows = RetentionRowSerializer(many=True)


class ProgrammeReportSerializer(serializers.Serializer):
    programme = serializers.IntegerField()
    today = serializers.DateField()
    min_group = serializers.IntegerField()
    verdict = VerdictSerializer()
    funnel = FunnelRowSerializer(many=True)
    engagement = EngagementSerializer()
    goals = GoalsSerializer()
    outcomes = OutcomesSerializer()
    pulse = PulseSerializer()
    commitments = CommitmentsSerializer()
    mentor_time = MentorTimeSerializer()
    retention = RetentionSerializer()


def _engagement_data(e: Engagement) -> dict[str, Any]:
    return {
        "pairs": e.pairs,
        "meetings_held": e.held,
        "meetings_per_month": float(e.per_month),
        "held_per_pair": e.held_per_pair,
        "expected_per_pair": e.expected_per_pair,
        "months": [
            {"month": row.month, "held": row.held, "expected": row.expected} for row in e.months
        ],
        "steps": [{"title": row.title, "pairs": row.pairs} for row in e.steps],
        "at_risk_judged": e.at_risk is not None or e.at_risk_hidden,
        "at_risk": None if e.at_risk_hidden else e.at_risk,
        "at_risk_suppressed": e.at_risk_hidden,
        "at_risk_kinds": [{"label": label, "pairs": n} for label, n in e.at_risk_kinds],
    }


def _pulse_data(p: PulseSummary) -> dict[str, Any]:
    suppressed = not p.enough and p.responses > 0
    return {
        "responses": None if suppressed else p.responses,
        "suppressed": suppressed,
        "spoke_openly": p.spoke_openly,
        "felt_listened_to": p.felt_listened_to,
        "worth_my_time": p.worth_my_time,
        "low_percent": p.low_share,
    }


def _commitments_data(c: CommitmentReport) -> dict[str, Any]:
    if not c.enough:
        # As the page: no count at all until the group is large enough (zero is no secret).
        none_yet = c.commitments == 0
        return {
            "suppressed": not none_yet,
            "commitments": 0 if none_yet else None,
            "leaders": 0 if none_yet else None,
            "done_or_in_progress": 0 if none_yet else None,
            "by_status": [],
            "by_theme": [],
        }
    return {
        "suppressed": False,
        "commitments": c.commitments,
        "leaders": c.people,
        "done_or_in_progress": c.done_or_in_progress,
        "by_status": [
            {"key": key, "label": str(label), "count": n, "suppressed": n is None}
            for key, label, n in c.by_status
        ],
        "by_theme": [
            {
                "key": str(t.label),
                "label": str(t.label),
                "count": t.count,
                "suppressed": t.count is None,
            }
            for t in c.themes
        ],
    }


def _retention_data(rows: list[RetentionRow], note: str) -> dict[str, Any]:
    return {
        "note": note,
        "rows": [
            {
                "months": r.months,
                "due_on": r.due_on,
                "available": r.available,
                "participants_percent": r.participants_rate,
                "participants_suppressed": r.participants is None,
                "others_percent": r.others_rate,
                "others_suppressed": r.others is None,
            }
            for r in rows
        ],
    }


def report_data(report: ProgrammeReport) -> dict[str, Any]:
    """The report's figures as plain data; a hidden figure is null beside `suppressed`."""
    respondents = report.outcome_respondents
    respondents_shown = respondents == 0 or respondents >= report.min_group
    verdict = report.verdict
    goals = report.goals
    mentor_time = report.mentor_time
    return {
        "programme": report.programme.pk,
        "today": report.today,
        "min_group": report.min_group,
        "verdict": {
            "state": verdict.state,
            "label": str(verdict.label),
            "reason": str(verdict.reason),
            "measured_by": verdict.item_text,
            "change": _change(verdict.change),
        },
        "funnel": [
            {"stage": r.stage, "label": str(r.label), "mentors": r.mentors, "mentees": r.mentees}
            for r in report.funnel
        ],
        "engagement": _engagement_data(report.engagement),
        "goals": {
            "pairs": goals.pairs,
            "pairs_with_goals": goals.pairs_with_goals,
            "goals": goals.goals,
            "achieved": goals.achieved,
            "achieved_percent": goals.achieved_share,
            "in_progress": goals.in_progress,
            "tasks": goals.tasks,
            "tasks_done": goals.tasks_done,
            "tasks_done_percent": goals.tasks_done_share,
        },
        "outcomes": {
            "respondents": respondents if respondents_shown else None,
            "respondents_suppressed": not respondents_shown,
            "rows": [
                {
                    "text": row.text,
                    "comparison": str(row.comparison),
                    "n": row.n if row.change is not None else None,
                    "suppressed": row.change is None,
                    "change": _change(row.change),
                }
                for row in report.outcomes
            ],
        },
        "pulse": _pulse_data(report.pulse),
        "commitments": _commitments_data(report.commitments),
        "mentor_time": {
            "mentors": mentor_time.mentors,
            "mentors_who_gave": mentor_time.mentors_who_gave,
            "hours": mentor_time.hours,
            "sessions": mentor_time.sessions,
            "events": mentor_time.events,
            "average_hours": mentor_time.average_hours,
            "average_hours_suppressed": mentor_time.average_minutes is None
            and mentor_time.mentors_who_gave > 0,
        },
        "retention": _retention_data(report.retention, report.retention_note),
    }


@extend_schema(tags=["reports"])
class ProgrammeReportView(APIView):
    """A programme's report, for its team: the report page's figures with its suppression.

    A service token reads it as an organisation admin without access to the safety pages."""

    read_scope = TokenScope.REPORTS_READ

    @extend_schema(responses=ProgrammeReportSerializer, operation_id="programme_report")
    def get(self, request: Request, programme_pk: int) -> Response:
        programme = programme_access.team_programme(request, programme_pk)
        report = programme_report(programme, viewer=api_person(request), now=timezone.now())
        return Response(ProgrammeReportSerializer(report_data(report)).data)
