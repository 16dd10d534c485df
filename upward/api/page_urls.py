"""Pages (not API routes) for API tokens: personal tokens on the account, and the
organisation's service tokens for its admins."""

app_name = "tokens"

urlpatterns: list = []
