from django.urls import path

from upward.programmes import views

app_name = "programmes"
urlpatterns = [
    path("", views.programme_list, name="list"),
    path("new/", views.programme_create, name="create"),
    path("<id:pk>/", views.programme_detail, name="detail"),
    path("<id:pk>/edit/", views.programme_edit, name="edit"),
    path("<id:pk>/move/<str:to>/", views.programme_transition, name="transition"),
    path("<id:pk>/sign-up/new-link/", views.regenerate_link, name="regenerate_link"),
    path("<id:pk>/sign-up/<str:action>/", views.signup_toggle, name="signup"),
    path("<id:pk>/managers/", views.programme_managers, name="managers"),
    path("<id:pk>/next-cohort/", views.next_cohort, name="next_cohort"),
    path("<id:pk>/questions/", views.question_list, name="questions"),
    path("<id:pk>/questions/<id:question_pk>/edit/", views.question_edit, name="question_edit"),
    path(
        "<id:pk>/questions/<id:question_pk>/delete/",
        views.question_delete,
        name="question_delete",
    ),
    path("<id:pk>/questions/<id:question_pk>/move/", views.question_move, name="question_move"),
    path("join/<str:token>/", views.public_page, name="public"),
]
