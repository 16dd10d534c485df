from django.urls import path

from upward.privacy import views

app_name = "privacy"
urlpatterns = [
    path("privacy/my-data/", views.my_data, name="my_data"),
    path("privacy/my-data.json", views.my_data_json, name="my_data_json"),
    path("privacy/people/<id:pk>/erase/", views.erase, name="erase"),
    path("privacy/retention/", views.retention_rules, name="retention"),
]
