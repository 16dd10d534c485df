from django.urls import path

from upward.safety import views

# Included at the site root, so these are full paths.
app_name = "safety"
urlpatterns = [
    # The pair's side
    path("pairings/<int:pk>/pulse/<int:meeting_pk>/", views.pulse, name="pulse"),
    path("pairings/<int:pk>/end/", views.leave, name="leave"),
    path("pairings/<int:pk>/new-partner/", views.rematch, name="rematch"),
    path("pairings/<int:pk>/concern/", views.raise_concern, name="raise_concern"),
    path("my-concerns/", views.my_concerns, name="my_concerns"),
    # The programme team
    path("programmes/<int:pk>/attention/", views.attention, name="attention"),
    path("programmes/<int:pk>/attention/settings/", views.settings_view, name="settings"),
    path("programmes/<int:pk>/attention/exits/", views.exits, name="exits"),
    path(
        "programmes/<int:pk>/attention/pairings/<int:pairing_pk>/pulses/",
        views.pulses,
        name="pulses",
    ),
    path(
        "programmes/<int:pk>/attention/pairings/<int:pairing_pk>/snooze/",
        views.snooze,
        name="snooze",
    ),
    path(
        "programmes/<int:pk>/attention/concerns/<int:concern_pk>/",
        views.concern,
        name="concern",
    ),
    path(
        "programmes/<int:pk>/attention/concerns/<int:concern_pk>/move/",
        views.concern_move,
        name="concern_move",
    ),
    path(
        "programmes/<int:pk>/attention/requests/<int:request_pk>/done/",
        views.rematch_done,
        name="rematch_done",
    ),
    path(
        "programmes/<int:pk>/attention/pairings/<int:pairing_pk>/check-in/",
        views.check_in_new,
        name="check_in_new",
    ),
    path(
        "programmes/<int:pk>/attention/check-ins/<int:check_in_pk>/",
        views.check_in,
        name="check_in",
    ),
    # The organisation's safeguarding contacts (org admins name them)
    path("safeguarding-contacts/", views.contacts, name="contacts"),
    path(
        "safeguarding-contacts/<int:contact_pk>/remove/",
        views.contact_remove,
        name="contact_remove",
    ),
]
