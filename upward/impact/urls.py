app_name = "impact"
urlpatterns: list = []  # type: ignore[type-arg]
