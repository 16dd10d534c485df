app_name = "resources"
urlpatterns: list = []  # type: ignore[type-arg]
