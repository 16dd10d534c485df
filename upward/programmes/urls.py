from django.urls import path

from upward.programmes import views

app_name = "programmes"
urlpatterns = [
    path("", views.programme_list, name="list"),
    path("new/", views.programme_create, name="create"),
    path("<int:pk>/", views.programme_detail, name="detail"),
    path("<int:pk>/edit/", views.programme_edit, name="edit"),
    path("<int:pk>/move/<str:to>/", views.programme_transition, name="transition"),
    path("<int:pk>/sign-up/new-link/", views.regenerate_link, name="regenerate_link"),
    path("<int:pk>/sign-up/<str:action>/", views.signup_toggle, name="signup"),
    path("<int:pk>/managers/", views.programme_managers, name="managers"),
    path("<int:pk>/questions/", views.question_list, name="questions"),
    path("<int:pk>/questions/<int:question_pk>/edit/", views.question_edit, name="question_edit"),
    path(
        "<int:pk>/questions/<int:question_pk>/delete/",
        views.question_delete,
        name="question_delete",
    ),
    path("<int:pk>/questions/<int:question_pk>/move/", views.question_move, name="question_move"),
    path("join/<str:token>/", views.public_page, name="public"),
]
