from django.core.management import call_command
from django.test import Client

from upward.core import demo
from upward.organisations.models import Person
from upward.pairing.models import Pairing
from upward.programmes.models import Programme
from upward.recruitment.models import Application


def counts():
    return (
        Person.objects.count(),
        Programme.objects.count(),
        Application.objects.count(),
        Pairing.objects.count(),
    )


def test_seed_demo_builds_the_tour_and_is_safe_to_run_twice(db, capsys):
    call_command("seed_demo")
    first = counts()
    assert 180 <= first[0] <= 220
    states = dict(Programme.objects.values_list("name", "state"))
    assert states == {
        demo.PILOT_NAME: "completed",
        demo.RECRUITING_NAME: "recruiting",
        demo.ACTIVE_NAME: "active",
    }
    assert Pairing.objects.filter(programme__name=demo.PILOT_NAME, state="completed").exists()
    pair = Pairing.objects.get(
        programme__name=demo.ACTIVE_NAME, mentor__email=demo.ACCOUNTS[2].email
    )
    assert pair.state == "active" and pair.mentee.email == demo.ACCOUNTS[3].email

    call_command("seed_demo")
    assert counts() == first
    assert "upward-demo-2026" in capsys.readouterr().out


def test_every_demo_account_can_sign_in(db):
    call_command("seed_demo")
    for account in demo.ACCOUNTS:
        client = Client()
        response = client.post(
            "/accounts/login/", {"login": account.email, "password": demo.DEMO_PASSWORD}
        )
        assert response.status_code == 302, account.email
        assert client.get("/dashboard/").status_code == 200
