from django.urls import path

from upward.insight import overview_views

# Included at the site root, so these are full paths.
app_name = "insight"
urlpatterns = [
    # issue 16: overview
    path("overview/", overview_views.overview_page, name="overview"),
]
