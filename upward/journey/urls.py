from django.urls import path

from upward.journey import views

# Included at the site root, so these are full paths.
app_name = "journey"
urlpatterns = [
    # The pair
    path("journey/", views.my_journeys, name="mine"),
    path("pairings/<int:pk>/journey/", views.pairing, name="pairing"),
    path("pairings/<int:pk>/agreement/", views.agreement, name="agreement"),
    path("pairings/<int:pk>/agreement/confirm/", views.agreement_confirm, name="agreement_confirm"),
    path("pairings/<int:pk>/meetings/", views.meetings, name="meetings"),
    path("pairings/<int:pk>/meetings/new/", views.book, name="book"),
    path("meetings/<int:pk>/", views.meeting, name="meeting"),
    path("meetings/<int:pk>/change/", views.reschedule, name="reschedule"),
    path("meetings/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("meetings/<int:pk>/record/", views.record_outcome, name="record"),
    path("meetings/<int:pk>/invite.ics", views.meeting_ics, name="meeting_ics"),
    path("agenda/<int:pk>/toggle/", views.agenda_toggle, name="agenda_toggle"),
    # Events for participants
    path("events/", views.events, name="events"),
    path("events/<int:pk>/", views.event, name="event"),
    path("events/<int:pk>/invite.ics", views.event_ics, name="event_ics"),
    # Personal calendar feed
    path("calendar/", views.calendar_settings, name="calendar"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="feed"),
    # Programme team
    path("programmes/<int:pk>/journey/", views.programme_setup, name="programme_setup"),
    path("programmes/<int:pk>/journey/pairs/", views.programme_pairs, name="programme_pairs"),
    path(
        "programmes/<int:pk>/journey/pairs/<int:pairing_pk>/",
        views.manager_pairing,
        name="manager_pairing",
    ),
    path("programmes/<int:pk>/events/", views.programme_events, name="programme_events"),
    path("programmes/<int:pk>/events/new/", views.event_edit, name="event_new"),
    path("programmes/<int:pk>/events/<int:event_pk>/edit/", views.event_edit, name="event_edit"),
    path(
        "programmes/<int:pk>/events/<int:event_pk>/cancel/",
        views.event_cancel,
        name="event_cancel",
    ),
    path(
        "programmes/<int:pk>/events/<int:event_pk>/",
        views.event_attendance,
        name="event_attendance",
    ),
    # Journey templates
    path("journeys/", views.templates, name="templates"),
    path("journeys/<int:pk>/", views.template, name="template"),
    path("journeys/<int:pk>/copy/", views.template_clone, name="template_clone"),
    path("journeys/<int:pk>/rename/", views.template_rename, name="template_rename"),
    path("journeys/<int:pk>/draft/", views.draft, name="draft"),
    path("journeys/<int:pk>/draft/publish/", views.draft_publish, name="draft_publish"),
    path("journeys/<int:pk>/draft/discard/", views.draft_discard, name="draft_discard"),
    path("journeys/<int:pk>/draft/steps/new/", views.step_edit, name="step_new"),
    path("journeys/<int:pk>/draft/steps/<int:step_pk>/", views.step_edit, name="step_edit"),
    path(
        "journeys/<int:pk>/draft/steps/<int:step_pk>/delete/",
        views.step_delete,
        name="step_delete",
    ),
    path("journeys/<int:pk>/draft/steps/<int:step_pk>/move/", views.step_move, name="step_move"),
]
