"""API routes for programmes, applications, participants, pairings, meetings, the caller's own
goals and tasks, and aggregate results (registered here)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from upward.api.me_views import MyGoalViewSet, MyTaskViewSet
from upward.api.programme_views import (
    ApplicationViewSet,
    MeetingViewSet,
    PairingViewSet,
    ParticipantViewSet,
    ProgrammeViewSet,
)
from upward.api.report_views import ProgrammeReportView, SurveyResultsView

router = SimpleRouter()

LIST = {"get": "list"}
DETAIL = {"get": "retrieve"}
WRITABLE_LIST = {"get": "list", "post": "create"}
WRITABLE_DETAIL = {"get": "retrieve", "patch": "partial_update", "delete": "destroy"}

urlpatterns: list = [
    path("programmes/", ProgrammeViewSet.as_view(LIST), name="programme-list"),
    path("programmes/<id:pk>/", ProgrammeViewSet.as_view(DETAIL), name="programme-detail"),
    path(
        "programmes/<id:programme_pk>/applications/",
        ApplicationViewSet.as_view(LIST),
        name="application-list",
    ),
    path(
        "programmes/<id:programme_pk>/applications/<id:pk>/",
        ApplicationViewSet.as_view(DETAIL),
        name="application-detail",
    ),
    path(
        "programmes/<id:programme_pk>/applications/<id:pk>/decision/",
        ApplicationViewSet.as_view({"post": "decision"}),
        name="application-decision",
    ),
    path(
        "programmes/<id:programme_pk>/participants/",
        ParticipantViewSet.as_view(LIST),
        name="participant-list",
    ),
    path(
        "programmes/<id:programme_pk>/pairings/",
        PairingViewSet.as_view(LIST),
        name="pairing-list",
    ),
    path(
        "programmes/<id:programme_pk>/pairings/<id:pk>/",
        PairingViewSet.as_view(DETAIL),
        name="pairing-detail",
    ),
    path(
        "programmes/<id:programme_pk>/survey-results/",
        SurveyResultsView.as_view(),
        name="programme-survey-results",
    ),
    path(
        "programmes/<id:programme_pk>/report/",
        ProgrammeReportView.as_view(),
        name="programme-report",
    ),
    path("meetings/", MeetingViewSet.as_view(LIST), name="meeting-list"),
    path("meetings/<id:pk>/", MeetingViewSet.as_view(DETAIL), name="meeting-detail"),
    path("me/goals/", MyGoalViewSet.as_view(WRITABLE_LIST), name="my-goal-list"),
    path("me/goals/<id:pk>/", MyGoalViewSet.as_view(WRITABLE_DETAIL), name="my-goal-detail"),
    path("me/tasks/", MyTaskViewSet.as_view(WRITABLE_LIST), name="my-task-list"),
    path("me/tasks/<id:pk>/", MyTaskViewSet.as_view(WRITABLE_DETAIL), name="my-task-detail"),
]
