from django.urls import path

from upward.notes import views

# Included at the site root, so these are full paths.
app_name = "notes"
urlpatterns = [
    path("pairings/<id:pk>/notes/", views.shared_notes, name="shared_notes"),
    path("pairings/<id:pk>/notes/new/", views.new_shared_note, name="new_shared_note"),
    path("pairings/<id:pk>/notes/<id:note_pk>/", views.shared_note, name="shared_note"),
    path(
        "pairings/<id:pk>/notes/<id:note_pk>/edit/",
        views.edit_shared_note,
        name="edit_shared_note",
    ),
    path("pairings/<id:pk>/notes/<id:note_pk>/history/", views.note_history, name="note_history"),
    path(
        "pairings/<id:pk>/notes/<id:note_pk>/delete/",
        views.delete_shared_note,
        name="delete_shared_note",
    ),
    path("pairings/<id:pk>/private-notes/", views.meeting_notes, name="meeting_notes"),
    path("meetings/<id:meeting_pk>/my-note/", views.meeting_note, name="meeting_note"),
    path("pairings/<id:pk>/messages/", views.thread, name="messages"),
    path("account/notifications/", views.preferences, name="preferences"),
    path("programmes/<id:pk>/cohort/<str:cohort>/", views.cohort_space, name="cohort_space"),
    path(
        "programmes/<id:pk>/cohort/<str:cohort>/posts/<id:post_pk>/hide/",
        views.hide_post,
        name="hide_post",
    ),
]
