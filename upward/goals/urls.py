app_name = "goals"
urlpatterns: list = []  # type: ignore[type-arg]
