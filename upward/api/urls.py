from django.urls import include, path

from upward.api import routes_people, routes_programmes

app_name = "api"

urlpatterns = [
    path("", include(routes_people.router.urls)),
    path("", include(routes_people.urlpatterns)),
    path("", include(routes_programmes.router.urls)),
    path("", include(routes_programmes.urlpatterns)),
]
