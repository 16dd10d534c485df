from django.urls import path

from upward.webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("organisation/webhooks/", views.endpoint_list, name="list"),
    path("organisation/webhooks/new/", views.endpoint_create, name="create"),
    path("organisation/webhooks/<id:pk>/", views.endpoint_detail, name="detail"),
    path("organisation/webhooks/<id:pk>/edit/", views.endpoint_edit, name="edit"),
    path("organisation/webhooks/<id:pk>/delete/", views.endpoint_delete, name="delete"),
    path("organisation/webhooks/<id:pk>/secret/", views.endpoint_secret, name="secret"),
    path(
        "organisation/webhooks/<id:pk>/secret/roll/",
        views.endpoint_roll_secret,
        name="roll-secret",
    ),
    path("organisation/webhooks/<id:pk>/test/", views.endpoint_test, name="test"),
    path(
        "organisation/webhooks/<id:pk>/deliveries/<id:delivery_pk>/redeliver/",
        views.delivery_redeliver,
        name="redeliver",
    ),
]
