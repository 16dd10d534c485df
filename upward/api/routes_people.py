"""API routes for people and the organisation's structure, and who is calling."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from upward.api import views_people

router = SimpleRouter()
router.register("levels", views_people.LevelViewSet, basename="level")
router.register("departments", views_people.DepartmentViewSet, basename="department")
router.register("teams", views_people.TeamViewSet, basename="team")
router.register("people", views_people.PersonViewSet, basename="person")

_people = views_people.PersonViewSet
urlpatterns: list = [
    path("organisation/", views_people.OrganisationView.as_view(), name="organisation"),
    path("me/", views_people.MeView.as_view(), name="me"),
    path("people/upsert/", _people.as_view({"post": "upsert"}), name="person-upsert"),
]
