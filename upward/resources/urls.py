from django.urls import path

from upward.resources import views

# Included at the site root, so these are full paths.
app_name = "resources"
urlpatterns = [
    path("resources/", views.library, name="library"),
    path("resources/new/", views.new_resource, name="new"),
    path("resources/<id:pk>/edit/", views.edit_resource, name="edit"),
    path("resources/<id:pk>/delete/", views.delete_resource, name="delete"),
    path("resources/<id:pk>/file/", views.download, name="download"),
    path("pairings/<id:pk>/resources/", views.saved, name="saved"),
    path("pairings/<id:pk>/resources/save/", views.save, name="save"),
    path("pairings/<id:pk>/resources/<id:item_pk>/done/", views.mark_done, name="done"),
    path("pairings/<id:pk>/resources/<id:item_pk>/remove/", views.remove, name="remove"),
]
