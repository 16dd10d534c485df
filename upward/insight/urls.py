from django.urls import path

from upward.insight import inclusion_views

# Included at the site root, so these are full paths.
app_name = "insight"
urlpatterns = [
    # issue 16: suppress
    path("overview/inclusion/", inclusion_views.inclusion, name="inclusion"),
]
