from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from upward.consent import selectors as consent_selectors
from upward.consent import services as consent_services
from upward.consent.purposes import Purpose
from upward.core.models import AuditEvent
from upward.programmes.models import Programme
from upward.recruitment import services
from upward.recruitment.models import Application, Invitation
from upward.recruitment.tests.helpers import apply, question
from upward.testing.factories import PersonFactory, UserFactory, level, person_with_account

Status = Application.Status


def apply_url(programme, role: str | None = None) -> str:  # type: ignore[no-untyped-def]
    url = reverse("recruitment:apply", args=[programme.signup_token])
    return f"{url}?role={role}" if role else url


def form_data(**overrides):  # type: ignore[no-untyped-def]
    data = {"role": "mentor", "motivation": "I love explaining data.", "consent_terms": "on"}
    data.update(overrides)
    return data


# --- The apply page --------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in_and_back(world, programme):
    url = apply_url(programme)
    response = world.client_for(None).get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert "next=" in response.url


def test_role_choice_shows_eligibility_before_the_form(world, programme):
    response = world.client_for(world.applicant).get(apply_url(programme))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="?role=mentor"' in html  # may apply as a mentor
    assertNotContains(response, 'href="?role=mentee"')  # may not apply as a mentee …
    assert "Mentees in this programme are at levels 6 Senior manager to 9 Executive" in html
    assertNotContains(response, 'name="motivation"')  # … and no form is shown yet


def test_ineligible_role_explains_instead_of_showing_the_form(world, programme):
    response = world.client_for(world.senior).get(apply_url(programme, "mentor"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "your level is 8 Director" in html
    assertNotContains(response, 'name="motivation"')


def test_bad_role_in_the_link_is_explained(world, programme):
    response = world.client_for(world.applicant).get(apply_url(programme, "ceo"))
    assert response.status_code == 200
    assert "That role is not one we know" in response.content.decode()


def test_posting_an_ineligible_role_does_not_apply(world, programme):
    response = world.client_for(world.senior).post(apply_url(programme), form_data(role="mentor"))
    assert response.status_code == 200
    assert "your level is 8 Director" in response.content.decode()
    assert not Application.objects.exists()


def test_form_shows_topics_questions_and_lived_experience_for_mentors(world, programme, topics):
    q = question(programme, text="Which team are you in?")
    response = world.client_for(world.applicant).get(apply_url(programme, "mentor"))
    html = response.content.decode()
    assert 'name="motivation"' in html
    assert "Python" in html and "Cycling" in html
    assert "Lived experience (optional)" in html
    assert "Race and ethnicity" in html
    assert f'name="question_{q.pk}"' in html
    assert 'value="fri-pm"' in html
    # Another organisation's topic of the same name is not offered.
    assertNotContains(response, f'value="{topics.elsewhere.pk}"')


def test_form_does_not_ask_lived_experience_when_the_programme_does_not_use_it(
    world, programme, topics
):
    Programme.objects.filter(pk=programme.pk).update(special_category_matching=False)
    response = world.client_for(world.applicant).get(apply_url(programme, "mentor"))
    assertNotContains(response, "Lived experience (optional)", status_code=200)
    assertNotContains(response, 'name="lived_experience_consent"', status_code=200)
    assertNotContains(response, "Race and ethnicity", status_code=200)


def test_mentee_form_has_no_lived_experience_section(world, programme, topics):
    response = world.client_for(world.senior).get(apply_url(programme, "mentee"))
    html = response.content.decode()
    assert 'name="motivation"' in html
    assertNotContains(response, "Lived experience")


def test_apply_happy_path(world, programme, topics):
    client = world.client_for(world.applicant)
    # The colleague is found through the picker first (only people it showed may be named).
    search = reverse("recruitment:colleague_search", args=[programme.signup_token])
    assert "Kai Keen" in client.get(search, {"people_q": "Kai"}).content.decode()
    response = client.post(
        apply_url(programme, "mentor"),
        form_data(
            offered_topics=[topics.python.pk],
            wanted_topics=[topics.strategy.pk],
            interests=[topics.cycling.pk],
            availability=["mon-am", "thu-pm"],
            works_with=[world.other_applicant.pk],
            lived_experience_consent="on",
            lived_experience_topics=[topics.race.pk],
        ),
    )
    app = Application.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("recruitment:my_application", args=[app.pk])
    assert app.status == Status.SUBMITTED
    assert app.availability == ["mon-am", "thu-pm"]
    # Lived experience is the person's own answer, with a matching consent under the wording.
    about = consent_selectors.about_you(world.applicant)
    assert about is not None and about.lived_topic_ids() == [topics.race.pk]
    assert consent_selectors.has_consent(world.applicant.pk, Purpose.MATCHING)
    page = client.get(response.url).content.decode()
    assert "The programme team will review your application" in page
    assert "Race and ethnicity" in page  # applicants see their own answers


def test_open_mode_says_waitlisted(world, programme):
    Programme.objects.filter(pk=programme.pk).update(selection_mode="open", places=1)
    apply(programme, world.other_applicant)
    client = world.client_for(world.applicant)
    response = client.post(apply_url(programme, "mentor"), form_data(), follow=True)
    assert "All places for mentors are taken, so you are on the waiting list" in (
        response.content.decode()
    )
    assert Application.objects.get(person=world.applicant).status == Status.WAITLISTED


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"consent_terms": ""}, "Please agree to the programme&#x27;s terms to apply."),
        ({"motivation": ""}, "why you would like to take part"),
        ({"offered_topics": ["999999"]}, "not in the list"),
        ({"offered_topics": ["abc"]}, "“abc” is not a topic in the list"),
        ({"availability": ["sun-am"]}, "not a weekly slot"),
        ({"works_with": ["999999"]}, "Choose colleagues from your organisation"),
        ({"works_with": ["x"]}, "is not a person in your organisation"),
        (
            {"lived_experience_topics": ["RACE"]},
            "We do not store lived-experience topics without your agreement",
        ),
    ],
)
def test_bad_input_gives_clear_messages(world, programme, topics, overrides, message):
    if overrides.get("lived_experience_topics") == ["RACE"]:
        overrides = {"lived_experience_topics": [str(topics.race.pk)]}
    response = world.client_for(world.applicant).post(
        apply_url(programme, "mentor"), form_data(**overrides)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Application.objects.exists()


def test_other_organisations_topic_and_person_are_refused(world, programme, topics):
    client = world.client_for(world.applicant)
    response = client.post(
        apply_url(programme, "mentor"), form_data(offered_topics=[topics.elsewhere.pk])
    )
    assert "not in the list" in response.content.decode()
    response = client.post(
        apply_url(programme, "mentor"), form_data(works_with=[world.outsider_admin.pk])
    )
    assert "Choose colleagues from your organisation" in response.content.decode()
    assert not Application.objects.exists()


def test_extra_questions_are_validated(world, programme):
    text_q = question(programme, text="Your team?", required=True)
    choice_q = question(
        programme, text="How often?", kind="choice", choices=["Monthly", "Fortnightly"]
    )
    client = world.client_for(world.applicant)
    response = client.post(
        apply_url(programme, "mentor"), form_data(**{f"question_{choice_q.pk}": "Daily"})
    )
    html = response.content.decode()
    assert "Please answer this question." in html
    assert "Choose one of the options given." in html
    response = client.post(
        apply_url(programme, "mentor"),
        form_data(**{f"question_{text_q.pk}": "Platform", f"question_{choice_q.pk}": "Monthly"}),
    )
    assert response.status_code == 302
    answers = {a.question_id: a.value for a in Application.objects.get().answers.all()}
    assert answers == {text_q.pk: "Platform", choice_q.pk: "Monthly"}


def test_second_visit_goes_to_the_existing_application(world, programme):
    app = apply(programme, world.applicant)
    response = world.client_for(world.applicant).get(apply_url(programme, "mentor"))
    assert response.status_code == 302
    assert response.url == reverse("recruitment:my_application", args=[app.pk])


def test_user_outside_the_directory_gets_an_explanation(world, programme):
    user = UserFactory(email="stranger@example.org")
    client = world.client_for(None)
    client.force_login(user)
    response = client.get(apply_url(programme))
    assert response.status_code == 200
    assert "We could not find you in the directory" in response.content.decode()


def test_other_organisation_gets_404_for_the_token(world, programme):
    response = world.client_for(world.outsider_admin).get(apply_url(programme))
    assert response.status_code == 404
    response = world.client_for(world.applicant).get(
        reverse("recruitment:apply", args=["no-such-token"])
    )
    assert response.status_code == 404


def test_draft_programme_link_is_404(world):
    response = world.client_for(world.applicant).get(apply_url(world.programme))
    assert response.status_code == 404


def test_invitation_only_programme_explains_to_uninvited(world, programme):
    Programme.objects.filter(pk=programme.pk).update(selection_mode="invitation")
    response = world.client_for(world.applicant).get(apply_url(programme))
    assert "by invitation only" in response.content.decode()
    assertNotContains(response, 'href="?role=mentor"')


# --- Colleague search (htmx) -----------------------------------------------------------------


def test_colleague_search_finds_same_organisation_only(world, programme):
    PersonFactory(organisation=world.outsider_admin.organisation, full_name="Kai Elsewhere")
    url = reverse("recruitment:colleague_search", args=[programme.signup_token])
    client = world.client_for(world.applicant)
    assert "Sam Senior" in client.get(url, {"people_q": "Sam"}).content.decode()
    response = client.get(url, {"people_q": "Kai", "works_with": [world.senior.pk, "junk"]})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Kai Keen" in html
    assertNotContains(response, "Kai Elsewhere")
    assert f'value="{world.senior.pk}" checked' in html  # kept ticked
    assert "HX-Request" in response["Vary"]
    assert client.get(url, {"people_q": "Jess"}).content.decode().count("Jess Junior") == 0
    assert world.client_for(world.outsider_admin).get(url, {"people_q": "Kai"}).status_code == 404
    assert world.client_for(None).get(url).status_code == 302


# --- The applicant's own application ---------------------------------------------------------


def test_my_application_only_for_its_owner(world, programme):
    app = apply(programme, world.applicant)
    url = reverse("recruitment:my_application", args=[app.pk])
    assert world.client_for(world.applicant).get(url).status_code == 200
    for persona in (world.other_applicant, world.manager, world.outsider_admin):
        assert world.client_for(persona).get(url).status_code == 404
    assert world.client_for(None).get(url).status_code == 302
    for name in ("edit_application", "withdraw_application"):
        other = world.client_for(world.other_applicant)
        assert other.get(reverse(f"recruitment:{name}", args=[app.pk])).status_code == 404
        assert other.post(reverse(f"recruitment:{name}", args=[app.pk])).status_code == 404


def test_my_application_shows_decision_message_and_hides_edit_after_review(world, programme):
    app = apply(programme, world.applicant)
    client = world.client_for(world.applicant)
    url = reverse("recruitment:my_application", args=[app.pk])
    html = client.get(url).content.decode()
    assert reverse("recruitment:edit_application", args=[app.pk]) in html
    services.decide_application(
        app, decision="declined", reason="Thank you — please try again next year.", by=None
    )
    response = client.get(url)
    html = response.content.decode()
    assert "Thank you — please try again next year." in html
    assertNotContains(response, reverse("recruitment:edit_application", args=[app.pk]))
    assertNotContains(response, reverse("recruitment:withdraw_application", args=[app.pk]))


def test_edit_through_the_page(world, programme, topics):
    app = apply(programme, world.applicant, offered_topics=[topics.python])
    client = world.client_for(world.applicant)
    url = reverse("recruitment:edit_application", args=[app.pk])
    page = client.get(url).content.decode()
    assert "I want to help leaders feel at home with data." in page
    assert re.search(rf'value="{topics.python.pk}"[^>]*checked', page)
    assert not re.search(rf'value="{topics.data.pk}"[^>]*checked', page)
    response = client.post(url, form_data(motivation="Updated.", offered_topics=[topics.data.pk]))
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.motivation == "Updated."
    assert list(app.offered_topics.all()) == [topics.data]


def test_edit_after_review_redirects_with_a_message(world, programme):
    app = apply(programme, world.applicant)
    services.decide_application(app, decision="accepted", by=None)
    client = world.client_for(world.applicant)
    url = reverse("recruitment:edit_application", args=[app.pk])
    response = client.post(url, form_data(motivation="Sneaky change"), follow=True)
    assert "can no longer be changed" in response.content.decode()
    app.refresh_from_db()
    assert app.motivation != "Sneaky change"


def test_withdraw_asks_for_confirmation(world, programme):
    app = apply(programme, world.applicant)
    client = world.client_for(world.applicant)
    url = reverse("recruitment:withdraw_application", args=[app.pk])
    response = client.get(url)
    assert "Withdraw your application?" in response.content.decode()
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED  # GET changes nothing
    response = client.post(url, follow=True)
    assert "You have withdrawn your application" in response.content.decode()
    app.refresh_from_db()
    assert app.status == Status.WITHDRAWN


def test_invitation_link_goes_to_the_form_in_the_invited_role(world, programme):
    invitation = Invitation.objects.create(programme=programme, person=world.senior, role="mentee")
    url = reverse("recruitment:invitation_accept", args=[invitation.token])
    response = world.client_for(world.senior).get(url)
    assert response.status_code == 302
    assert response.url == apply_url(programme, "mentee")
    # Someone else's invitation link is not theirs.
    assert world.client_for(world.applicant).get(url).status_code == 404
    assert world.client_for(None).get(url).status_code == 302


def test_an_expired_invitation_link_kindly_says_to_ask_for_a_new_one(
    world, programme, settings, django_capture_on_commit_callbacks
):
    settings.UPWARD_RECRUITMENT_INVITATION_DAYS = 10
    invitation = Invitation.objects.create(programme=programme, person=world.senior, role="mentee")
    url = reverse("recruitment:invitation_accept", args=[invitation.token])
    client = world.client_for(world.senior)

    def sent_days_ago(days: float) -> None:
        Invitation.objects.filter(pk=invitation.pk).update(
            created_at=timezone.now() - timedelta(days=days)
        )

    sent_days_ago(9.9)
    response = client.get(url)
    assert response.status_code == 302 and response.url == apply_url(programme, "mentee")
    sent_days_ago(10.1)
    response = client.get(url)
    assertContains(response, "This invitation has expired", status_code=410)
    assertContains(response, "ask the programme team for a new one", status_code=410)
    assertContains(response, programme.name, status_code=410)
    # Someone else still cannot tell that the link exists.
    assert world.client_for(world.applicant).get(url).status_code == 404
    # Inviting again renews it: a new link that works, sent to them.
    with django_capture_on_commit_callbacks(execute=True):
        result = services.invite_people(
            programme, [world.senior], role="mentee", by=world.manager.user
        )
    assert result.invited == [world.senior]
    renewed = Invitation.objects.get(pk=invitation.pk)
    assert renewed.token != invitation.token
    assert f"/invitations/{renewed.token}/" in mail.outbox[-1].body
    new_url = reverse("recruitment:invitation_accept", args=[renewed.token])
    assert client.get(new_url).status_code == 302
    assert client.get(url).status_code == 404


def test_the_invitations_page_shows_expired_invitations_and_lets_them_be_renewed(
    world, programme, settings
):
    settings.UPWARD_RECRUITMENT_INVITATION_DAYS = 10
    invitation = Invitation.objects.create(programme=programme, person=world.senior, role="mentee")
    Invitation.objects.filter(pk=invitation.pk).update(
        created_at=timezone.now() - timedelta(days=11)
    )
    url = reverse("recruitment:invitations", args=[programme.pk])
    response = world.client_for(world.manager).get(url, {"q": "Sam"})
    assertContains(response, "Invitation expired", status_code=200)
    assertContains(response, "Link expired: invite again to send a new one", status_code=200)
    box = re.search(
        rf'<input type="checkbox" name="people" value="{world.senior.pk}"[^>]*>',
        response.content.decode(),
    )
    assert box is not None and "disabled" not in box.group(0)


# --- The manager's review --------------------------------------------------------------------


def review_url(programme) -> str:  # type: ignore[no-untyped-def]
    return reverse("recruitment:review", args=[programme.pk])


def test_review_access(world, programme):
    app = apply(programme, world.applicant)
    urls = [
        review_url(programme),
        reverse("recruitment:review_detail", args=[programme.pk, app.pk]),
        reverse("recruitment:invitations", args=[programme.pk]),
    ]
    for url in urls:
        assert world.client_for(world.manager).get(url).status_code == 200
        assert world.client_for(world.admin).get(url).status_code == 200
        for persona in (world.other_manager, world.outsider_admin, world.applicant):
            assert world.client_for(persona).get(url).status_code == 404, (url, persona)
        assert world.client_for(None).get(url).status_code == 302
    bulk = reverse("recruitment:review_bulk", args=[programme.pk])
    response = world.client_for(world.other_manager).post(
        bulk, {"applications": [app.pk], "action": "selected:accepted", "confirm": "on"}
    )
    assert response.status_code == 404
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED


def test_application_of_another_programme_is_404_for_the_manager(world, programme):
    other = open_other(world)
    app = apply(other, world.applicant)
    url = reverse("recruitment:review_detail", args=[programme.pk, app.pk])
    assert world.client_for(world.manager).get(url).status_code == 404


def open_other(world):  # type: ignore[no-untyped-def]
    Programme.objects.filter(pk=world.other_programme.pk).update(state="recruiting")
    world.other_programme.refresh_from_db()
    return world.other_programme


def test_review_list_filters_and_shows_capacity(world, programme):
    apply(programme, world.applicant)
    apply(programme, world.other_applicant)
    apply(programme, world.senior, role="mentee")
    client = world.client_for(world.manager)
    html = client.get(review_url(programme)).content.decode()
    assert "Jess Junior" in html and "Kai Keen" in html and "Sam Senior" in html
    assert "mentors accepted of 2 places" in html
    assertNotContains(client.get(review_url(programme)), "0 / 2")
    response = client.get(review_url(programme), {"role": "mentee"})
    html = response.content.decode()
    assert "Sam Senior" in html
    assertNotContains(response, "Jess Junior")
    digital = world.applicant.department
    html_response = client.get(review_url(programme), {"department": digital.pk})
    html = html_response.content.decode()
    assert "Jess Junior" in html
    assertNotContains(html_response, "Kai Keen")
    html_response = client.get(review_url(programme), {"q": "kai"})
    html = html_response.content.decode()
    assert "Kai Keen" in html
    assertNotContains(html_response, "Jess Junior")
    html_response = client.get(review_url(programme), {"level": level(world.org, 8).pk})
    html = html_response.content.decode()
    assert "Sam Senior" in html
    assertNotContains(html_response, "Kai Keen")


def test_review_list_bad_filters_do_not_break(world, programme):
    apply(programme, world.applicant)
    client = world.client_for(world.manager)
    response = client.get(
        review_url(programme), {"role": "boss", "department": "x", "level": "999", "page": "zz"}
    )
    # The bad filters are left out (the list shows all) and each is named on the page.
    assertContains(response, "Jess Junior", status_code=200)
    for named in ("Role “boss”", "Department “x”", "Level “999”"):
        assertContains(response, f"Unknown filter: {named}", status_code=200)


def test_review_list_empty_state(world, programme):
    html = world.client_for(world.manager).get(review_url(programme)).content.decode()
    assert "No applications yet" in html
    assert "Invite people" in html


def test_review_list_htmx_returns_the_results_fragment(world, programme):
    apply(programme, world.applicant)
    response = world.client_for(world.manager).get(review_url(programme), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results">')
    assert "Jess Junior" in html
    assertNotContains(response, "<html")


def test_review_list_query_budget(world, programme, django_assert_max_num_queries):
    for i in range(12):
        person = person_with_account(
            organisation=world.org,
            full_name=f"Mentor {i}",
            level=level(world.org, 2),
            department=world.applicant.department,
        )
        apply(programme, person)
    client = world.client_for(world.manager)
    # Flat however many applications: the page is one joined query plus counts. The rest is
    # the session, the user, navigation (one for the tabs' "Needs attention" rule) and the
    # filter choices.
    with django_assert_max_num_queries(13):
        response = client.get(review_url(programme))
    assert response.status_code == 200
    assert response.content.decode().count('name="applications"') == 12


def test_detail_hides_lived_experience_without_consent(world, programme, topics):
    app = apply(programme, world.applicant)
    url = reverse("recruitment:review_detail", args=[programme.pk, app.pk])
    # The person noted the topic on "About you" but did not agree to matching: not shown.
    consent_services.save_about_you(
        world.applicant, answers={}, lived_experience=[topics.race], by=None
    )
    response = world.client_for(world.manager).get(url)
    assertNotContains(response, "Race and ethnicity", status_code=200)
    assertContains(response, "Not shared")
    assert not AuditEvent.objects.filter(verb="special_category.viewed").exists()


def test_detail_shows_lived_experience_with_consent_and_everything_else(world, programme, topics):
    q = question(programme, text="Your team?", required=False)
    app = apply(
        programme,
        world.applicant,
        lived_experience_topics=[topics.race],
        lived_experience_consent=True,
        offered_topics=[topics.python],
        wanted_topics=[topics.strategy],
        interests=[topics.cycling],
        availability=["wed-am"],
        preferred_times="Lunchtimes",
        works_with=[world.other_applicant],
        answers={q.pk: "Platform team"},
    )
    url = reverse("recruitment:review_detail", args=[programme.pk, app.pk])
    html = world.client_for(world.manager).get(url).content.decode()
    # Seeing special-category data is audited, without the values.
    viewed = AuditEvent.objects.get(verb="special_category.viewed")
    assert viewed.actor == world.manager.user and viewed.object_id == str(world.applicant.pk)
    assert "Race" not in str(viewed.data) and str(topics.race.pk) not in str(viewed.data)
    for text in (
        "Race and ethnicity",
        "Python",
        "Strategy",
        "Cycling",
        "Wednesday morning",
        "Lunchtimes",
        "Kai Keen",
        "Platform team",
    ):
        assert text in html, text


def test_detail_query_budget(world, programme, topics, django_assert_max_num_queries):
    app = apply(
        programme,
        world.applicant,
        offered_topics=[topics.python, topics.data],
        works_with=[world.senior],
    )
    url = reverse("recruitment:review_detail", args=[programme.pk, app.pk])
    client = world.client_for(world.manager)
    with django_assert_max_num_queries(15):
        assert client.get(url).status_code == 200


def test_decide_through_the_page_and_email(world, programme, django_capture_on_commit_callbacks):
    app = apply(programme, world.applicant)
    url = reverse("recruitment:review_detail", args=[programme.pk, app.pk])
    client = world.client_for(world.manager)
    response = client.post(url, {"decision": "declined", "reason": ""})
    assert "Write a short, kind message" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "decision": "declined",
                "reason": "Thank you; we hope to see you next time.",
                "internal_note": "Capacity",
            },
        )
    assert response.status_code == 302
    app.refresh_from_db()
    assert (app.status, app.internal_note, app.reviewed_by) == (
        "declined",
        "Capacity",
        world.manager.user,
    )
    assert len(mail.outbox) == 1
    assert "Capacity" not in mail.outbox[0].body
    # The applicant sees the message, never the internal note.
    html_response = world.client_for(world.applicant).get(
        reverse("recruitment:my_application", args=[app.pk])
    )
    html = html_response.content.decode()
    assert "we hope to see you next time" in html
    assertNotContains(html_response, "Capacity")


def test_overfill_asks_for_confirmation_on_the_page(world, programme):
    Programme.objects.filter(pk=programme.pk).update(places=1)
    first = apply(programme, world.applicant)
    second = apply(programme, world.other_applicant)
    services.decide_application(first, decision="accepted", by=world.manager.user)
    url = reverse("recruitment:review_detail", args=[programme.pk, second.pk])
    client = world.client_for(world.manager)
    response = client.post(url, {"decision": "accepted", "reason": "Welcome!"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "The 1 place for mentors is taken" in html
    assert "Accept beyond the places" in html
    assert 'name="allow_overfill" value="on"' in html
    second.refresh_from_db()
    assert second.status == Status.SUBMITTED
    response = client.post(
        url, {"decision": "accepted", "reason": "Welcome!", "allow_overfill": "True"}
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == Status.ACCEPTED
    html = client.get(review_url(programme)).content.decode()
    assert "1 over" in html


# Bulk decisions: test_bulk.py


# --- Invitations page ------------------------------------------------------------------------


def test_invitations_page_invites_and_reports_skips(
    world, programme, django_capture_on_commit_callbacks
):
    apply(programme, world.other_applicant)
    url = reverse("recruitment:invitations", args=[programme.pk])
    client = world.client_for(world.manager)
    html_response = client.get(url, {"department": world.applicant.department.pk})
    html = html_response.content.decode()
    assert "Jess Junior" in html
    assertNotContains(html_response, "Kai Keen")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "people": [world.applicant.pk, world.other_applicant.pk, world.senior.pk],
                "role": "mentor",
                "message": "Hope you can join.",
            },
            follow=True,
        )
    html = response.content.decode()
    assert "Invitations sent to 1 people." in html or "Invitation sent to 1 person." in html
    assert "2 people skipped" in html
    assert "1 already applied (Kai Keen)" in html
    assert "Sam Senior cannot take part in this role" in html
    assert [m.to for m in mail.outbox] == [["jess@northwind.test"]]
    assert Invitation.objects.get().person == world.applicant
    # Once invited, the page shows it.
    html = client.get(url).content.decode()
    assert "1 invitation sent" in html


def test_invitations_page_bad_input(world, programme):
    url = reverse("recruitment:invitations", args=[programme.pk])
    client = world.client_for(world.manager)
    response = client.post(url, {"people": [world.outsider_admin.pk], "role": "mentor"})
    assert response.status_code == 200
    assert "Choose people from your organisation" in response.content.decode()
    response = client.post(url, {"people": [world.applicant.pk], "role": "boss"})
    assert "Choose mentor or mentee" in response.content.decode()
    response = client.post(url, {"role": "mentor"})
    assert "Tick at least one person" in response.content.decode()
    assert not Invitation.objects.exists()


def test_invitations_page_in_draft_explains(world):
    url = reverse("recruitment:invitations", args=[world.programme.pk])
    html = world.client_for(world.manager).get(url).content.decode()
    assert "Open recruitment first" in html


def test_invitations_page_query_budget(world, programme, django_assert_max_num_queries):
    for i in range(10):
        PersonFactory(organisation=world.org, full_name=f"Person {i}")
    client = world.client_for(world.manager)
    # Flat in the size of the directory; one query is the tabs' "Needs attention" rule.
    with django_assert_max_num_queries(15):
        assert (
            client.get(reverse("recruitment:invitations", args=[programme.pk])).status_code == 200
        )


def test_filtering_applications_in_place_announces_the_count(world, programme):
    import json

    apply(programme, world.applicant)
    apply(programme, world.other_applicant)
    client = world.client_for(world.manager)
    swapped = client.get(review_url(programme), {"role": "mentor"}, HTTP_HX_REQUEST="true")
    assert swapped.status_code == 200
    assert json.loads(swapped["HX-Trigger-After-Settle"]) == {
        "announce": {"message": "2 applications"}
    }
    one = client.get(review_url(programme), {"q": "Jess"}, HTTP_HX_REQUEST="true")
    assert json.loads(one["HX-Trigger-After-Settle"])["announce"]["message"] == "1 application"
    # A whole page (no htmx) has nothing to announce: the page itself is read.
    page = client.get(review_url(programme))
    assert page.status_code == 200 and "HX-Trigger-After-Settle" not in page
