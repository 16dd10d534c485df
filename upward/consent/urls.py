from django.urls import path

from upward.consent import views

app_name = "consent"

# Mounted under /people/me/about/ by config/urls.py: a person's own page only.
urlpatterns = [
    path("", views.about_you, name="about_you"),
    path("consent/<str:purpose>/grant/", views.grant, name="grant"),
    path("consent/<str:purpose>/withdraw/", views.withdraw, name="withdraw"),
]
