from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from upward.accounts import urls as accounts_urls
from upward.core import views as core_views
from upward.organisations import urls as organisations_urls

urlpatterns = [
    path("", include("upward.dashboard.urls")),
    path("healthz", core_views.healthz, name="healthz"),
    path("csp-report/", core_views.csp_report, name="csp-report"),
    path("accounts/", include("allauth.urls")),
    path("", include("upward.accounts.urls")),
    # The directory under /people/, one "organisations" namespace; its invite button's view is in
    # accounts, which sits above organisations (docs/decisions.md, 13).
    path(
        "people/",
        include(
            (organisations_urls.urlpatterns + accounts_urls.people_urlpatterns, "organisations")
        ),
    ),
    # A person's own optional special-category answers and their consents.
    path("people/me/about/", include("upward.consent.urls")),
    path("programmes/", include("upward.programmes.urls")),
    path("", include("upward.recruitment.urls")),
    path("", include("upward.pairing.urls")),
    path("", include("upward.journey.urls")),
    path("", include("upward.notes.urls")),
    path("", include("upward.goals.urls")),
    path("", include("upward.resources.urls")),
    path("", include("upward.surveys.urls")),
    path("", include("upward.safety.urls")),
    path("", include("upward.notifications.urls")),
    path("", include("upward.impact.urls")),
    path("", include("upward.announcements.urls")),
    path("", include("upward.privacy.urls")),
    path("", include("upward.insight.urls")),
    path("", include("upward.sso.urls")),
    path("", include("upward.scim.urls")),
    path("", include("upward.filesync.urls")),
    path("", include("upward.webhooks.urls")),
    path("", include("upward.api.page_urls")),
    path("api/v1/", include("upward.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as its own file (no inline script).
    path(
        "api/docs/",
        login_required(
            SpectacularSwaggerSplitView.as_view(
                url_name="api-schema", template_name="api/swagger_ui.html"
            )
        ),
        name="api-docs",
    ),
    path("admin/", admin.site.urls),
]
