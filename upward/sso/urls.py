from django.urls import path

from upward.sso import views

app_name = "sso"

urlpatterns = [
    path("sign-in/continue/", views.continue_sign_in, name="continue"),
    path("sign-in/sso/<slug:slug>/", views.start, name="start"),
    path("signed-out/", views.signed_out, name="signed_out"),
    path(
        "sso/<slug:slug>/backchannel-logout/",
        views.backchannel_logout,
        name="backchannel_logout",
    ),
    path("organisation/sso/", views.settings_page, name="settings"),
    path("organisation/sso/test/", views.test_sign_in, name="test"),
    path("organisation/sso/disable/", views.disable, name="disable"),
]
