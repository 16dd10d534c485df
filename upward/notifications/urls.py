from django.urls import path

from upward.notifications import chat_views, views

app_name = "notifications"
urlpatterns = [
    path("notifications/", views.notification_list, name="list"),
    path("notifications/preferences/", views.preferences, name="preferences"),
    path("notifications/read-all/", views.mark_all_read, name="mark_all_read"),
    path("notifications/<id:pk>/read/", views.mark_read, name="mark_read"),
    path("notifications/<id:pk>/open/", views.open_notification, name="open"),
    path("organisation/chat/", chat_views.chat_settings, name="chat-settings"),
    path("organisation/chat/test/", chat_views.chat_test, name="chat-test"),
    path("organisation/chat/remove/<slug:what>/", chat_views.chat_remove, name="chat-remove"),
]
