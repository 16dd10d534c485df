from django.urls import path

from upward.resources import views

# Included at the site root, so these are full paths.
app_name = "resources"
urlpatterns = [
    path("resources/", views.library, name="library"),
    path("resources/new/", views.new_resource, name="new"),
    path("resources/<int:pk>/edit/", views.edit_resource, name="edit"),
    path("resources/<int:pk>/delete/", views.delete_resource, name="delete"),
    path("resources/<int:pk>/file/", views.download, name="download"),
    path("pairings/<int:pk>/resources/", views.saved, name="saved"),
    path("pairings/<int:pk>/resources/save/", views.save, name="save"),
    path("pairings/<int:pk>/resources/<int:item_pk>/done/", views.mark_done, name="done"),
    path("pairings/<int:pk>/resources/<int:item_pk>/remove/", views.remove, name="remove"),
]
