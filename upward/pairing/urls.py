from django.urls import path

from upward.pairing import views

# Included at the site root, so these are full paths.
app_name = "pairing"
urlpatterns = [
    # Programme team
    path("programmes/<id:pk>/matching/", views.matching, name="matching"),
    path("programmes/<id:pk>/matching/runs/", views.run_list, name="runs"),
    path("programmes/<id:pk>/matching/runs/<id:run_pk>/", views.run_detail, name="run"),
    path("programmes/<id:pk>/matching/runs/<id:run_pk>/publish/", views.publish, name="publish"),
    path("programmes/<id:pk>/matching/runs/<id:run_pk>/swap/", views.swap, name="swap"),
    path(
        "programmes/<id:pk>/matching/runs/<id:run_pk>/people/",
        views.run_people,
        name="run_people",
    ),
    path("programmes/<id:pk>/matching/runs/<id:run_pk>/include/", views.include, name="include"),
    path(
        "programmes/<id:pk>/matching/runs/<id:run_pk>/resolve-again/",
        views.resolve_again,
        name="resolve_again",
    ),
    path("programmes/<id:pk>/matching/rounds/", views.open_round, name="open_round"),
    path(
        "programmes/<id:pk>/matching/rounds/<id:round_pk>/",
        views.round_detail,
        name="round",
    ),
    path(
        "programmes/<id:pk>/matching/rounds/<id:round_pk>/close/",
        views.close_round,
        name="close_round",
    ),
    path(
        "programmes/<id:pk>/matching/rounds/<id:round_pk>/cancel/",
        views.cancel_round,
        name="cancel_round",
    ),
    path("programmes/<id:pk>/matching/rules/", views.add_rule, name="add_rule"),
    path(
        "programmes/<id:pk>/matching/people/",
        views.programme_people,
        name="programme_people",
    ),
    path(
        "programmes/<id:pk>/matching/rules/<id:rule_pk>/remove/",
        views.remove_rule,
        name="remove_rule",
    ),
    path("programmes/<id:pk>/pairings/", views.pairing_list, name="pairings"),
    path(
        "programmes/<id:pk>/waiting/<id:person_pk>/find-partner/",
        views.find_partner,
        name="find_partner",
    ),
    path("programmes/<id:pk>/pairings/<id:pairing_pk>/end/", views.end, name="end"),
    path(
        "programmes/<id:pk>/pairings/<id:pairing_pk>/new-partner/",
        views.new_partner,
        name="new_partner",
    ),
    path(
        "programmes/<id:pk>/pairings/<id:pairing_pk>/complete/",
        views.complete,
        name="complete",
    ),
    # Participants
    path("pairings/<id:pk>/", views.pairing_detail, name="pairing"),
    path("pairings/<id:pk>/answer/", views.answer, name="answer"),
    path("choices/<id:pk>/", views.choose, name="choose"),
]
