from django.urls import path

from upward.organisations import views

app_name = "organisations"
urlpatterns = [
    path("", views.people, name="people"),
]
