from django.contrib.admin.apps import AdminConfig


class UpwardAdminConfig(AdminConfig):
    # The admin site signs people in through the app's front door (config/admin.py).
    default_site = "config.admin.UpwardAdminSite"
