app_name = "filesync"

urlpatterns: list = []
