from django.urls import path

from upward.scim import views

app_name = "scim"

# SCIM 2.0 (RFC 7644) for Entra ID and Okta, under /scim/v2/; the help page for admins.
urlpatterns = [
    path("organisation/scim/", views.scim_settings, name="settings"),
    path("scim/v2/", views.RootView.as_view(), name="root"),
    path(
        "scim/v2/ServiceProviderConfig",
        views.ServiceProviderConfigView.as_view(),
        name="service-provider-config",
    ),
    path("scim/v2/ResourceTypes", views.ResourceTypesView.as_view(), name="resource-types"),
    path(
        "scim/v2/ResourceTypes/<str:type_id>",
        views.ResourceTypesView.as_view(),
        name="resource-type",
    ),
    path("scim/v2/Schemas", views.SchemasView.as_view(), name="schemas"),
    path("scim/v2/Schemas/<str:schema_id>", views.SchemasView.as_view(), name="schema"),
    path("scim/v2/Users/.search", views.UsersSearchView.as_view(), name="users-search"),
    path("scim/v2/Users", views.UsersView.as_view(), name="users"),
    path("scim/v2/Users/<str:uuid>", views.UsersView.as_view(), name="user"),
    path("scim/v2/.search", views.NotImplementedView.as_view(), name="search"),
    path("scim/v2/Bulk", views.NotImplementedView.as_view(), name="bulk"),
    path("scim/v2/Me", views.NotImplementedView.as_view(), name="me"),
    # Anything else under /scim/v2/ answers 404 in SCIM's error format.
    path("scim/v2/<path:rest>", views.RootView.as_view(), name="not-found"),
]
