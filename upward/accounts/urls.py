from django.urls import path

from upward.accounts import views

urlpatterns = [
    path("invitation/<str:token>/", views.accept_invitation, name="accept_invitation"),
]

# Mounted under /people/ in the "organisations" namespace by config/urls.py, next to the
# directory's own pages, so its address and name stay organisations:person_invite.
people_urlpatterns = [
    path("<id:pk>/invite/", views.person_invite, name="person_invite"),
]
