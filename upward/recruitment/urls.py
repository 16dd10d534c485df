from django.urls import path

from upward.recruitment import views

# Included at the site root, so these are full paths.
app_name = "recruitment"
urlpatterns = [
    # Applicants
    path("join/<str:token>/apply/", views.apply, name="apply"),
    path("join/<str:token>/colleagues/", views.colleague_search, name="colleague_search"),
    path("applications/<id:pk>/", views.my_application, name="my_application"),
    path("applications/<id:pk>/edit/", views.edit_application, name="edit_application"),
    path(
        "applications/<id:pk>/withdraw/", views.withdraw_application, name="withdraw_application"
    ),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    # Programme team
    path("programmes/<id:pk>/applications/", views.review, name="review"),
    path("programmes/<id:pk>/applications/bulk/", views.review_bulk, name="review_bulk"),
    path(
        "programmes/<id:pk>/applications/<id:application_pk>/",
        views.review_detail,
        name="review_detail",
    ),
    path("programmes/<id:pk>/invitations/", views.invitations, name="invitations"),
]
