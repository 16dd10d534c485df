from django.urls import path

from upward.safety import views

# Included at the site root, so these are full paths.
app_name = "safety"
urlpatterns = [
    # The pair's side
    path("pairings/<id:pk>/pulse/<id:meeting_pk>/", views.pulse, name="pulse"),
    path("pairings/<id:pk>/end/", views.leave, name="leave"),
    path("pairings/<id:pk>/new-partner/", views.rematch, name="rematch"),
    path("pairings/<id:pk>/concern/", views.raise_concern, name="raise_concern"),
    path("my-concerns/", views.my_concerns, name="my_concerns"),
    # The programme team
    path("programmes/<id:pk>/attention/", views.attention, name="attention"),
    path("programmes/<id:pk>/attention/settings/", views.settings_view, name="settings"),
    path("programmes/<id:pk>/attention/exits/", views.exits, name="exits"),
    path(
        "programmes/<id:pk>/attention/pairings/<id:pairing_pk>/pulses/",
        views.pulses,
        name="pulses",
    ),
    path(
        "programmes/<id:pk>/attention/snooze/",
        views.snooze_bulk,
        name="snooze_bulk",
    ),
    path(
        "programmes/<id:pk>/attention/pairings/<id:pairing_pk>/snooze/",
        views.snooze,
        name="snooze",
    ),
    path(
        "programmes/<id:pk>/attention/concerns/<id:concern_pk>/",
        views.concern,
        name="concern",
    ),
    path(
        "programmes/<id:pk>/attention/concerns/<id:concern_pk>/move/",
        views.concern_move,
        name="concern_move",
    ),
    path(
        "programmes/<id:pk>/attention/requests/<id:request_pk>/done/",
        views.rematch_done,
        name="rematch_done",
    ),
    path(
        "programmes/<id:pk>/attention/pairings/<id:pairing_pk>/check-in/",
        views.check_in_new,
        name="check_in_new",
    ),
    path(
        "programmes/<id:pk>/attention/check-ins/<id:check_in_pk>/",
        views.check_in,
        name="check_in",
    ),
    # The organisation's safeguarding contacts (org admins name them)
    path("safeguarding-contacts/", views.contacts, name="contacts"),
    path(
        "safeguarding-contacts/<id:contact_pk>/remove/",
        views.contact_remove,
        name="contact_remove",
    ),
]
