from django.urls import include, path, re_path

from upward.api import errors, routes_people, routes_programmes

app_name = "api"

urlpatterns = [
    path("", include(routes_people.router.urls)),
    path("", include(routes_people.urlpatterns)),
    path("", include(routes_programmes.router.urls)),
    path("", include(routes_programmes.urlpatterns)),
    # Last: any other address under /api/v1/ answers a JSON 404 in the error format.
    re_path(r"^(?P<unknown>.*)$", errors.not_found, name="not-found"),
]
