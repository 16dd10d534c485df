app_name = "journey"
urlpatterns: list = []  # type: ignore[type-arg]
