"""API routes for programmes, applications, participants, pairings, meetings, the caller's own
goals and tasks, and aggregate results (registered here)."""

from rest_framework.routers import SimpleRouter

router = SimpleRouter()
urlpatterns: list = []
