import pytest


@pytest.mark.django_db(transaction=True)
def test_sign_in_page_and_dashboard_are_accessible(visitor_factory, world):
    admin = visitor_factory("admin")
    admin.go("/")
    admin.look("home")
    admin.go("/accounts/login/")
    admin.look("sign-in")
    admin.sign_in(world.admin.email)
    assert admin.page.url.endswith("/dashboard/")
    assert admin.page.get_by_role("heading", name="Programmes you run").is_visible()
    admin.look("dashboard")


@pytest.mark.django_db(transaction=True)
def test_wrong_password_gets_a_clear_message(visitor_factory, world):
    visitor = visitor_factory("wrong")
    visitor.sign_in(world.applicant.email, password="not the password")
    assert "/accounts/login/" in visitor.page.url
    assert visitor.page.get_by_text("not correct").first.is_visible()
    visitor.look("wrong-password")
