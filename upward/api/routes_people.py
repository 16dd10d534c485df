"""API routes for people and the organisation's structure, and tokens (registered here)."""

from rest_framework.routers import SimpleRouter

router = SimpleRouter()
urlpatterns: list = []
