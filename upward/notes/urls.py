app_name = "notes"
urlpatterns: list = []  # type: ignore[type-arg]
