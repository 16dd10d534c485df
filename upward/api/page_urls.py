"""Pages (not API routes) for API tokens: personal tokens on the account, and the
organisation's service tokens for its admins."""

from django.urls import path

from upward.api import views_tokens

app_name = "tokens"

urlpatterns = [
    path("account/tokens/", views_tokens.personal, name="personal"),
    path("account/tokens/<id:pk>/revoke/", views_tokens.personal_revoke, name="personal_revoke"),
    path("organisation/tokens/", views_tokens.service, name="service"),
    path("organisation/tokens/<id:pk>/revoke/", views_tokens.service_revoke, name="service_revoke"),
]
