from django.urls import path  # noqa: F401 (routes are added by the report, overview and export work)

# Included at the site root, so these are full paths.
app_name = "insight"
urlpatterns: list = []  # type: ignore[type-arg]
