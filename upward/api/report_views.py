"""Aggregate survey results of a programme, for its team, with the reports' small-group
suppression (upward.core.suppression through the surveys selectors the outcomes page uses).

Only aggregates: never an individual answer, never a comment. A figure the page hides comes out
as `null` next to `"suppressed": true`; the count behind it is hidden with it.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from upward.accounts.models import TokenScope
from upward.api import programme_access
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
