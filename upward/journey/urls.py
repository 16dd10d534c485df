from django.urls import path

from upward.journey import views

# Included at the site root, so these are full paths.
app_name = "journey"
urlpatterns = [
    # The pair
    path("journey/", views.my_journeys, name="mine"),
    path("pairings/<id:pk>/journey/", views.pairing, name="pairing"),
    path("pairings/<id:pk>/agreement/", views.agreement, name="agreement"),
    path("pairings/<id:pk>/agreement/confirm/", views.agreement_confirm, name="agreement_confirm"),
    path("pairings/<id:pk>/meetings/", views.meetings, name="meetings"),
    path("pairings/<id:pk>/meetings/new/", views.book, name="book"),
    path("pairings/<id:pk>/meetings/log/", views.log_meeting, name="log"),
    path("meetings/<id:pk>/", views.meeting, name="meeting"),
    path("meetings/<id:pk>/change/", views.reschedule, name="reschedule"),
    path("meetings/<id:pk>/cancel/", views.cancel, name="cancel"),
    path("meetings/<id:pk>/record/", views.record_outcome, name="record"),
    path("meetings/<id:pk>/invite.ics", views.meeting_ics, name="meeting_ics"),
    path("agenda/<id:pk>/toggle/", views.agenda_toggle, name="agenda_toggle"),
    # Events for participants
    path("events/", views.events, name="events"),
    path("events/<id:pk>/", views.event, name="event"),
    path("events/<id:pk>/invite.ics", views.event_ics, name="event_ics"),
    # Personal calendar feed
    path("calendar/", views.calendar_settings, name="calendar"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="feed"),
    # Programme team
    path("programmes/<id:pk>/journey/", views.programme_setup, name="programme_setup"),
    path("programmes/<id:pk>/journey/pairs/", views.programme_pairs, name="programme_pairs"),
    path(
        "programmes/<id:pk>/journey/pairs/<id:pairing_pk>/",
        views.manager_pairing,
        name="manager_pairing",
    ),
    path("programmes/<id:pk>/events/", views.programme_events, name="programme_events"),
    path("programmes/<id:pk>/events/new/", views.event_edit, name="event_new"),
    path("programmes/<id:pk>/events/<id:event_pk>/edit/", views.event_edit, name="event_edit"),
    path(
        "programmes/<id:pk>/events/<id:event_pk>/cancel/",
        views.event_cancel,
        name="event_cancel",
    ),
    path(
        "programmes/<id:pk>/events/<id:event_pk>/",
        views.event_attendance,
        name="event_attendance",
    ),
    # Journey templates
    path("journeys/", views.templates, name="templates"),
    path("journeys/<id:pk>/", views.template, name="template"),
    path("journeys/<id:pk>/copy/", views.template_clone, name="template_clone"),
    path("journeys/<id:pk>/rename/", views.template_rename, name="template_rename"),
    path("journeys/<id:pk>/draft/", views.draft, name="draft"),
    path("journeys/<id:pk>/draft/publish/", views.draft_publish, name="draft_publish"),
    path("journeys/<id:pk>/draft/discard/", views.draft_discard, name="draft_discard"),
    path("journeys/<id:pk>/draft/steps/new/", views.step_edit, name="step_new"),
    path("journeys/<id:pk>/draft/steps/<id:step_pk>/", views.step_edit, name="step_edit"),
    path(
        "journeys/<id:pk>/draft/steps/<id:step_pk>/delete/",
        views.step_delete,
        name="step_delete",
    ),
    path("journeys/<id:pk>/draft/steps/<id:step_pk>/move/", views.step_move, name="step_move"),
]
