from django.urls import path

from upward.recruitment import views

app_name = "recruitment"
urlpatterns = [
    path("applications/<int:pk>/", views.my_application, name="my_application"),
]
