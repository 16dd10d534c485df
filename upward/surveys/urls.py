app_name = "surveys"
urlpatterns: list = []  # type: ignore[type-arg]
