from django.urls import path

from upward.announcements import views

app_name = "announcements"

urlpatterns = [
    path(
        "programmes/<id:pk>/announcements/",
        views.programme_announcements,
        name="list",
    ),
    path("programmes/<id:pk>/announcements/new/", views.new_announcement, name="new"),
    path("programmes/<id:pk>/announcements/send/", views.send_announcement, name="send"),
    path("announcements/<id:announcement_pk>/", views.read_announcement, name="read"),
]
