from django.urls import path

from upward.impact import views

# Included at the site root, so these are full paths.
app_name = "impact"
urlpatterns = [
    # The person's own commitments and insights
    path("pairings/<id:pk>/commitments/", views.commitments, name="commitments"),
    path("pairings/<id:pk>/commitments/new/", views.new_commitment, name="new_commitment"),
    path(
        "pairings/<id:pk>/commitments/<id:item_pk>/edit/",
        views.edit_commitment,
        name="edit_commitment",
    ),
    path(
        "pairings/<id:pk>/commitments/<id:item_pk>/status/",
        views.commitment_status,
        name="commitment_status",
    ),
    path(
        "pairings/<id:pk>/commitments/<id:item_pk>/delete/",
        views.delete_commitment,
        name="delete_commitment",
    ),
    # The mentee's thank-you note
    path("pairings/<id:pk>/thank-you/", views.thank_you, name="thank_you"),
    # The mentor's contribution record
    path("pairings/<id:pk>/contribution/", views.contribution, name="contribution"),
    path(
        "pairings/<id:pk>/contribution/record.pdf",
        views.contribution_pdf,
        name="contribution_pdf",
    ),
    path("pairings/<id:pk>/contribution/certificate.pdf", views.certificate, name="certificate"),
    path("pairings/<id:pk>/contribution/share/", views.share, name="share"),
    path(
        "pairings/<id:pk>/contribution/thank-you-note/",
        views.thank_you_visibility,
        name="thank_you_visibility",
    ),
    # Programme team
    path("programmes/<id:pk>/impact/", views.programme_impact, name="programme_impact"),
    path("programmes/<id:pk>/mentor-time/", views.mentor_time, name="mentor_time"),
    path("programmes/<id:pk>/mentor-time/cap/", views.cap_settings, name="cap_settings"),
    # Organisation
    path("mentor-load/", views.mentor_load, name="mentor_load"),
]
