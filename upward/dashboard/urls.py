from django.urls import path

from upward.dashboard import views

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("today/", views.today, name="today"),
]
