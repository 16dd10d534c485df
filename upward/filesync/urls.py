from django.urls import path

from upward.filesync import views

app_name = "filesync"

urlpatterns = [
    path("organisation/file-sync/", views.settings_page, name="settings"),
    path("organisation/file-sync/check/", views.check_now, name="check"),
    path("organisation/file-sync/disable/", views.disable, name="disable"),
]
