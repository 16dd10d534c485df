app_name = "safety"
urlpatterns: list = []  # type: ignore[type-arg]
