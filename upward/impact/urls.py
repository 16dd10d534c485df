from django.urls import path

from upward.impact import views

# Included at the site root, so these are full paths.
app_name = "impact"
urlpatterns = [
    # The person's own commitments and insights
    path("pairings/<int:pk>/commitments/", views.commitments, name="commitments"),
    path("pairings/<int:pk>/commitments/new/", views.new_commitment, name="new_commitment"),
    path(
        "pairings/<int:pk>/commitments/<int:item_pk>/edit/",
        views.edit_commitment,
        name="edit_commitment",
    ),
    path(
        "pairings/<int:pk>/commitments/<int:item_pk>/status/",
        views.commitment_status,
        name="commitment_status",
    ),
    path(
        "pairings/<int:pk>/commitments/<int:item_pk>/delete/",
        views.delete_commitment,
        name="delete_commitment",
    ),
    # The mentee's thank-you note
    path("pairings/<int:pk>/thank-you/", views.thank_you, name="thank_you"),
    # The mentor's contribution record
    path("pairings/<int:pk>/contribution/", views.contribution, name="contribution"),
    path(
        "pairings/<int:pk>/contribution/record.pdf",
        views.contribution_pdf,
        name="contribution_pdf",
    ),
    path("pairings/<int:pk>/contribution/certificate.pdf", views.certificate, name="certificate"),
    path("pairings/<int:pk>/contribution/share/", views.share, name="share"),
    path(
        "pairings/<int:pk>/contribution/thank-you-note/",
        views.thank_you_visibility,
        name="thank_you_visibility",
    ),
    # Programme team
    path("programmes/<int:pk>/impact/", views.programme_impact, name="programme_impact"),
    path("programmes/<int:pk>/mentor-time/", views.mentor_time, name="mentor_time"),
    path("programmes/<int:pk>/mentor-time/cap/", views.cap_settings, name="cap_settings"),
    # Organisation
    path("mentor-load/", views.mentor_load, name="mentor_load"),
]
