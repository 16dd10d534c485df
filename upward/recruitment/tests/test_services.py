from __future__ import annotations

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from upward.consent import selectors as consent_selectors
from upward.consent.purposes import CURRENT, Purpose
from upward.core.errors import Conflict, DomainError, InvalidTransition, NotEligible
from upward.core.models import AuditEvent
from upward.programmes.models import Programme
from upward.recruitment import services
from upward.recruitment.models import Answer, Application, Invitation
from upward.recruitment.tests.helpers import application_data, apply, open_recruitment, question
from upward.testing.factories import PersonFactory, level, person_with_account

Status = Application.Status


def mentor_in(world, name: str, rank: int = 2):  # type: ignore[no-untyped-def]
    return person_with_account(
        organisation=world.org,
        full_name=name,
        level=level(world.org, rank),
        email=f"{name.split()[0].lower()}@northwind.test",
    )


# --- Submitting ------------------------------------------------------------------------------


def test_submit_stores_everything_and_audits(world, programme, topics):
    colleague = world.other_applicant
    app = apply(
        programme,
        world.applicant,
        offered_topics=[topics.python],
        wanted_topics=[topics.strategy.pk],
        interests=[topics.cycling],
        availability=["tue-pm", "mon-am"],
        preferred_times="Not before 10:00",
        works_with=[colleague],
    )
    assert app.status == Status.SUBMITTED
    assert app.role == "mentor"
    assert list(app.offered_topics.all()) == [topics.python]
    assert list(app.wanted_topics.all()) == [topics.strategy]
    assert list(app.interests.all()) == [topics.cycling]
    assert list(app.works_with.all()) == [colleague]
    # Stored in week order whatever order they came in.
    assert app.availability == ["mon-am", "tue-pm"]
    assert app.availability_labels() == ["Monday morning", "Tuesday afternoon"]
    event = AuditEvent.objects.get(verb="application.submitted")
    assert event.object_id == str(app.pk)
    assert event.organisation == world.org
    assert event.actor == world.applicant.user


def test_level_rules_refuse_with_the_explanation(world, programme):
    with pytest.raises(NotEligible, match="Mentors in this programme are at levels 1") as exc:
        apply(programme, world.senior, role="mentor")
    assert "levels 1 Apprentice to 4 Senior analyst" in exc.value.message
    assert "8 Director" in exc.value.message
    assert not Application.objects.exists()


def test_bad_role_is_refused_clearly(world, programme):
    with pytest.raises(NotEligible, match="mentor or as a mentee"):
        apply(programme, world.applicant, role="boss")


def test_programme_not_recruiting_is_refused(world):
    with pytest.raises(NotEligible, match="not open for applications yet"):
        apply(world.programme, world.applicant)


def test_closed_signup_link_is_refused_unless_invited(world, programme):
    Programme.objects.filter(pk=programme.pk).update(signup_open=False)
    programme.refresh_from_db()
    with pytest.raises(NotEligible, match="Sign-up for this programme is closed"):
        apply(programme, world.applicant)
    Invitation.objects.create(programme=programme, person=world.applicant, role="mentor")
    assert apply(programme, world.applicant).status == Status.SUBMITTED


def test_person_of_another_organisation_is_refused(world, programme):
    with pytest.raises(NotEligible, match="only open to people in Northwind Health"):
        apply(programme, world.outsider_admin)


def test_missing_consent_is_refused(world, programme):
    with pytest.raises(DomainError, match="agree to the programme's terms") as exc:
        apply(programme, world.applicant, consent_terms=False)
    assert exc.value.field == "consent_terms"


def test_empty_motivation_is_refused(world, programme):
    with pytest.raises(DomainError, match="why you would like to take part"):
        apply(programme, world.applicant, motivation="   ")


def test_database_requires_consent_too(world, programme):
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(
            programme=programme, person=world.applicant, role="mentor", motivation="x"
        )


# --- One application per person --------------------------------------------------------------


def test_duplicate_application_is_a_conflict(world, programme):
    apply(programme, world.applicant)
    with pytest.raises(Conflict, match="already applied to this programme as a mentor"):
        apply(programme, world.applicant)
    assert Application.objects.count() == 1


def test_duplicate_in_a_race_hits_the_constraint_and_reads_clearly(world, programme, monkeypatch):
    apply(programme, world.applicant)
    # Both requests read "no application yet" before either inserted: the constraint decides.
    monkeypatch.setattr(services, "_existing_application", lambda programme, person: None)
    with pytest.raises(Conflict, match="already applied to this programme"):
        apply(programme, world.applicant)
    assert Application.objects.count() == 1


def test_apply_again_after_withdrawing_reuses_the_row(world, programme, topics):
    first = apply(programme, world.applicant, offered_topics=[topics.python])
    services.withdraw_application(first, by=world.applicant.user)
    again = apply(programme, world.applicant, offered_topics=[topics.data])
    assert again.pk == first.pk
    assert again.status == Status.SUBMITTED
    assert list(again.offered_topics.all()) == [topics.data]
    assert AuditEvent.objects.filter(verb="application.resubmitted").count() == 1


# --- Selection modes -------------------------------------------------------------------------


def test_open_mode_accepts_until_full_then_waitlists(world, programme):
    Programme.objects.filter(pk=programme.pk).update(selection_mode="open")
    programme.refresh_from_db()
    first = apply(programme, world.applicant)
    second = apply(programme, world.other_applicant)
    third = apply(programme, mentor_in(world, "Tia Third"))
    mentee = apply(programme, world.senior, role="mentee")
    assert [first.status, second.status, third.status] == ["accepted", "accepted", "waitlisted"]
    # Places are counted per role: mentees are not affected by the full mentor side.
    assert mentee.status == "accepted"


def test_open_mode_withdraw_and_reapply_does_not_jump_the_waiting_list(
    world, programme, django_capture_on_commit_callbacks
):
    Programme.objects.filter(pk=programme.pk).update(selection_mode="open")
    programme.refresh_from_db()
    first = apply(programme, world.applicant)
    apply(programme, world.other_applicant)
    tia = apply(programme, mentor_in(world, "Tia Third"))
    uma = apply(programme, mentor_in(world, "Uma Fourth"))
    assert [tia.status, uma.status] == ["waitlisted", "waitlisted"]
    mail.outbox.clear()
    # The accepted mentor steps back: the place goes to whoever has waited longest.
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw_application(first, by=world.applicant.user)
    tia.refresh_from_db()
    uma.refresh_from_db()
    assert [tia.status, uma.status] == ["accepted", "waitlisted"]
    assert [m.to for m in mail.outbox] == [[tia.person.email]]
    # Applying again joins the back of the waiting list, behind Uma.
    again = apply(programme, world.applicant)
    assert again.status == "waitlisted"
    # Another place frees up: Uma, who waited longer, gets it, not the returning applicant.
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw_application(tia, by=tia.person.user)
    uma.refresh_from_db()
    again.refresh_from_db()
    assert [uma.status, again.status] == ["accepted", "waitlisted"]


def test_open_mode_a_newcomer_waits_behind_people_already_waiting(world, programme):
    Programme.objects.filter(pk=programme.pk).update(selection_mode="open")
    programme.refresh_from_db()
    apply(programme, world.applicant)
    second = apply(programme, world.other_applicant)
    tia = apply(programme, mentor_in(world, "Tia Third"))
    # The team moves an accepted mentor to the waiting list, which frees a place by hand; a
    # newcomer still waits behind the people already waiting for it.
    services.decide_application(second, decision="waitlisted", reason="Sorry.", by=None)
    newcomer = apply(programme, mentor_in(world, "Uma Fourth"))
    assert newcomer.status == "waitlisted"
    assert tia.status == "waitlisted"


def test_invitation_only_accepts_invited_people_in_the_invited_role(world, programme):
    Programme.objects.filter(pk=programme.pk).update(selection_mode="invitation")
    programme.refresh_from_db()
    with pytest.raises(NotEligible, match="by invitation only"):
        apply(programme, world.applicant)
    Invitation.objects.create(programme=programme, person=world.applicant, role="mentee")
    with pytest.raises(NotEligible, match="invited to take part as a mentee"):
        apply(programme, world.applicant, role="mentor")
    Invitation.objects.filter(person=world.applicant).update(role="mentor")
    assert apply(programme, world.applicant, role="mentor").status == Status.SUBMITTED


# --- Topics, people and lived experience -----------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("offered_topics", [999999], "not in Northwind Health's list"),
        ("wanted_topics", ["abc"], "“abc” is not a valid choice"),
        ("interests", "python", "interests"),
        ("availability", ["sat-am"], "not a weekly slot"),
        ("works_with", [999999], "directory"),
    ],
)
def test_bad_input_is_refused_with_a_message(world, programme, topics, field, value, message):
    if value == "python":
        value = [topics.python]  # a skill offered as an interest: the wrong kind
        message = "not in Northwind Health's list"
    with pytest.raises(DomainError, match=message) as exc:
        apply(programme, world.applicant, **{field: value})
    assert exc.value.field == field
    assert not Application.objects.exists()


def test_other_organisations_topics_and_people_are_refused(world, programme, topics):
    with pytest.raises(DomainError, match="not in Northwind Health's list"):
        apply(programme, world.applicant, offered_topics=[topics.elsewhere])
    with pytest.raises(DomainError, match="Northwind Health's directory"):
        apply(programme, world.applicant, works_with=[world.outsider_admin])


def test_listing_yourself_as_a_colleague_is_refused(world, programme):
    with pytest.raises(DomainError, match="list yourself"):
        apply(programme, world.applicant, works_with=[world.applicant])


def _uses_lived_experience(programme):
    Programme.objects.filter(pk=programme.pk).update(special_category_matching=True)
    programme.refresh_from_db()
    return programme


def _lived(person):
    about = consent_selectors.about_you(person)
    return set(about.lived_topic_ids()) if about else set()


def test_lived_experience_is_stored_only_with_consent(world, programme, topics):
    programme = _uses_lived_experience(programme)
    app = apply(
        programme,
        world.applicant,
        lived_experience_topics=[topics.race],
        lived_experience_consent=False,
    )
    assert _lived(world.applicant) == set()
    assert not consent_selectors.has_consent(world.applicant.pk, Purpose.MATCHING)

    services.update_application(
        app,
        by=world.applicant.user,
        lived_experience_topics=[topics.race, topics.disability],
        lived_experience_consent=True,
        **application_data(),
    )
    assert _lived(world.applicant) == {topics.race.pk, topics.disability.pk}
    event = consent_selectors.current_consent(world.applicant.pk, Purpose.MATCHING)
    assert event is not None and event.granted and event.version == CURRENT["matching"].version
    # The old columns are no longer written.
    app.refresh_from_db()
    assert app.lived_experience_consent is False
    assert app.lived_experience_topics.count() == 0

    # Unticking the agreement withdraws consent: nothing is used for matching from now on.
    services.update_application(
        app,
        by=world.applicant.user,
        lived_experience_topics=[],
        lived_experience_consent=False,
        **application_data(),
    )
    assert not consent_selectors.has_consent(world.applicant.pk, Purpose.MATCHING)
    assert consent_selectors.lived_experience_for([world.applicant.pk], Purpose.MATCHING) == {}


def test_lived_experience_is_not_asked_when_the_programme_does_not_use_it(
    world, programme, topics
):
    Programme.objects.filter(pk=programme.pk).update(special_category_matching=False)
    programme.refresh_from_db()
    apply(
        programme,
        world.applicant,
        lived_experience_topics=[topics.race],
        lived_experience_consent=True,
    )
    assert _lived(world.applicant) == set()
    assert consent_selectors.current_consent(world.applicant.pk, Purpose.MATCHING) is None


def test_mentees_do_not_store_lived_experience(world, programme, topics):
    programme = _uses_lived_experience(programme)
    app = apply(
        programme,
        world.senior,
        role="mentee",
        lived_experience_topics=[topics.race],
        lived_experience_consent=True,
    )
    assert app.lived_experience_topics.count() == 0
    assert _lived(world.senior) == set()
    assert consent_selectors.current_consent(world.senior.pk, Purpose.MATCHING) is None


def test_lived_experience_must_be_experience_topics(world, programme, topics):
    programme = _uses_lived_experience(programme)
    with pytest.raises(DomainError, match="list"):
        apply(
            programme,
            world.applicant,
            lived_experience_topics=[topics.python],
            lived_experience_consent=True,
        )


def test_audit_never_holds_lived_experience(world, programme, topics):
    programme = _uses_lived_experience(programme)
    apply(
        programme,
        world.applicant,
        lived_experience_topics=[topics.race],
        lived_experience_consent=True,
    )
    assert AuditEvent.objects.filter(verb="consent.granted").exists()
    for event in AuditEvent.objects.all():
        assert "Race" not in str(event.data)
        assert str(topics.race.pk) not in str(event.data.get("lived", ""))


# --- Extra questions -------------------------------------------------------------------------


def test_required_question_must_be_answered(world, programme):
    q = question(programme, required=True)
    with pytest.raises(DomainError, match="Please answer “What would success") as exc:
        apply(programme, world.applicant)
    assert exc.value.field == f"question_{q.pk}"
    app = apply(programme, world.applicant, answers={q.pk: "Leaders who ask for help."})
    assert Answer.objects.get(application=app).value == "Leaders who ask for help."


def test_choice_question_only_takes_its_options(world, programme):
    q = question(programme, text="How often?", kind="choice", choices=["Monthly", "Fortnightly"])
    with pytest.raises(DomainError, match="Choose one of the options given for “How often"):
        apply(programme, world.applicant, answers={q.pk: "Daily"})
    app = apply(programme, world.applicant, answers={q.pk: "Monthly"})
    assert app.answers.get().value == "Monthly"


def test_questions_for_the_other_role_are_not_asked(world, programme):
    q = question(programme, audience="mentee", required=True)
    apply(programme, world.applicant)  # a mentor: the mentee-only question is not required
    with pytest.raises(DomainError, match="does not ask"):
        apply(programme, world.other_applicant, answers={q.pk: "sneaky"})


def test_answers_to_unknown_or_foreign_questions_are_refused(world, programme):
    foreign = question(world.other_programme)
    with pytest.raises(DomainError, match="does not ask"):
        apply(programme, world.applicant, answers={foreign.pk: "x"})
    with pytest.raises(DomainError, match="unknown question"):
        apply(programme, world.applicant, answers={"nope": "x"})


def test_optional_question_may_be_blank(world, programme):
    question(programme, required=False)
    app = apply(programme, world.applicant)
    assert app.answers.count() == 0


# --- Edit and withdraw -----------------------------------------------------------------------


def test_applicant_can_edit_until_reviewed(world, programme):
    app = apply(programme, world.applicant)
    services.update_application(
        app, by=world.applicant.user, **application_data(motivation="Changed my mind.")
    )
    app.refresh_from_db()
    assert app.motivation == "Changed my mind."
    services.decide_application(app, decision="waitlisted", by=world.manager.user)
    with pytest.raises(InvalidTransition, match="can no longer be changed"):
        services.update_application(app, by=world.applicant.user, **application_data())


def test_edit_after_recruitment_closed_is_refused(world, programme):
    app = apply(programme, world.applicant)
    Programme.objects.filter(pk=programme.pk).update(state="matching")
    with pytest.raises(InvalidTransition, match="closed"):
        services.update_application(app, by=world.applicant.user, **application_data())


def test_withdraw(world, programme):
    app = apply(programme, world.applicant)
    services.withdraw_application(app, by=world.applicant.user)
    app.refresh_from_db()
    assert app.status == Status.WITHDRAWN
    assert AuditEvent.objects.filter(verb="application.withdrawn").exists()
    with pytest.raises(InvalidTransition, match="already withdrawn"):
        services.withdraw_application(app, by=world.applicant.user)


def test_withdraw_once_active_is_refused(world, programme):
    app = apply(programme, world.applicant)
    Programme.objects.filter(pk=programme.pk).update(state="active")
    with pytest.raises(InvalidTransition, match="has started"):
        services.withdraw_application(app, by=world.applicant.user)


# --- Decisions -------------------------------------------------------------------------------


def test_decline_needs_a_message(world, programme):
    app = apply(programme, world.applicant)
    with pytest.raises(DomainError, match="kind message") as exc:
        services.decide_application(app, decision="declined", reason=" ", by=world.manager.user)
    assert exc.value.field == "reason"


def test_unknown_decision_is_refused(world, programme):
    app = apply(programme, world.applicant)
    with pytest.raises(DomainError, match="Choose accept"):
        services.decide_application(app, decision="maybe", by=world.manager.user)


def test_accepting_beyond_places_needs_confirmation(world, programme):
    apps = [
        apply(programme, p)
        for p in (world.applicant, world.other_applicant, mentor_in(world, "Tia"))
    ]
    for app in apps[:2]:
        services.decide_application(app, decision="accepted", by=world.manager.user)
    with pytest.raises(services.OverCapacity, match="All 2 places for mentors are taken") as exc:
        services.decide_application(apps[2], decision="accepted", by=world.manager.user)
    assert (exc.value.accepted, exc.value.places) == (2, 2)
    apps[2].refresh_from_db()
    assert apps[2].status == Status.SUBMITTED

    services.decide_application(
        apps[2], decision="accepted", by=world.manager.user, allow_overfill=True
    )
    apps[2].refresh_from_db()
    assert apps[2].status == Status.ACCEPTED
    event = AuditEvent.objects.filter(verb="application.decided").first()
    assert event is not None and event.data["overfill"] is True


def test_declined_is_final_and_same_decision_is_explained(world, programme):
    app = apply(programme, world.applicant)
    services.decide_application(app, decision="waitlisted", by=world.manager.user)
    with pytest.raises(InvalidTransition, match="already on the waiting list"):
        services.decide_application(app, decision="waitlisted", by=world.manager.user)
    services.decide_application(app, decision="declined", reason="Sorry.", by=world.manager.user)
    with pytest.raises(InvalidTransition, match="declined cannot be changed"):
        services.decide_application(app, decision="accepted", by=world.manager.user)


def test_decision_outside_recruiting_or_matching_is_refused(world, programme):
    app = apply(programme, world.applicant)
    Programme.objects.filter(pk=programme.pk).update(state="active")
    with pytest.raises(InvalidTransition, match="recruiting or matching"):
        services.decide_application(app, decision="accepted", by=world.manager.user)


def test_decision_email_is_sent_after_commit_without_lived_experience(
    world, programme, topics, django_capture_on_commit_callbacks
):
    app = apply(
        programme,
        world.applicant,
        lived_experience_topics=[topics.race],
        lived_experience_consent=True,
        wanted_topics=[topics.strategy],
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.decide_application(
            app,
            decision="declined",
            reason="We had many strong applications; please apply to the next cohort.",
            internal_note="Too junior for this pilot",
            by=world.manager.user,
        )
    assert mail.outbox == []  # nothing leaves before the transaction commits
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["jess@northwind.test"]
    assert "Digital confidence 2027" in message.subject
    assert "please apply to the next cohort" in message.body
    assert f"/applications/{app.pk}/" in message.body
    assert "Race" not in message.body
    assert "Too junior" not in message.body  # the internal note stays internal


def test_accept_email_names_the_role(world, programme, django_capture_on_commit_callbacks):
    app = apply(programme, world.applicant)
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_application(app, decision="accepted", by=world.manager.user)
    assert "place on Digital confidence 2027 as a mentor" in mail.outbox[0].body


# --- Invitations -----------------------------------------------------------------------------


def test_invite_people_skips_and_explains(world, programme, django_capture_on_commit_callbacks):
    Invitation.objects.create(programme=programme, person=world.other_applicant, role="mentor")
    apply(programme, world.applicant)
    fresh = mentor_in(world, "Nia New")
    left = PersonFactory(organisation=world.org, full_name="Lee Left", is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        result = services.invite_people(
            programme,
            [world.applicant, world.other_applicant, fresh, world.senior, left],
            role="mentor",
            message="You would be brilliant at this.",
            by=world.manager.user,
        )
    assert result.invited == [fresh]
    assert result.already_applied == [world.applicant]
    assert result.already_invited == [world.other_applicant]
    reasons = dict(result.not_eligible)
    assert "8 Director" in reasons[world.senior]
    assert reasons[left] == "marked as having left"
    assert result.skipped == 4
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    invitation = Invitation.objects.get(person=fresh)
    assert f"/invitations/{invitation.token}/" in body
    assert "You would be brilliant at this." in body
    assert mail.outbox[0].to == [fresh.email]


def test_invite_people_validates_input(world, programme):
    with pytest.raises(DomainError, match="mentors or as mentees"):
        services.invite_people(programme, [world.applicant], role="chief", by=world.manager.user)
    with pytest.raises(DomainError, match="at least one"):
        services.invite_people(programme, [], role="mentor", by=world.manager.user)
    with pytest.raises(DomainError, match="Northwind Health's directory"):
        services.invite_people(
            programme, [world.outsider_admin], role="mentor", by=world.manager.user
        )
    assert not Invitation.objects.exists()


def test_invite_needs_recruitment_open(world):
    with pytest.raises(InvalidTransition, match="Open recruitment"):
        services.invite_people(
            world.programme, [world.applicant], role="mentor", by=world.manager.user
        )


def test_invited_person_can_apply_to_invitation_only_programme(world):
    programme = open_recruitment(world.programme, selection_mode="invitation")
    services.invite_people(programme, [world.senior], role="mentee", by=world.manager.user)
    assert apply(programme, world.senior, role="mentee").status == Status.SUBMITTED


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicate_applications_one_wins(world):
    """Real threads: two submissions of the same application, exactly one is stored."""
    import threading

    from django.db import connection

    if connection.vendor == "sqlite":
        pytest.skip("Runs on PostgreSQL: the in-memory SQLite test database is per thread.")

    programme = open_recruitment(world.programme)
    results: list[str] = []
    barrier = threading.Barrier(2)

    def submit() -> None:
        barrier.wait()
        try:
            apply(programme, world.applicant)
            results.append("won")
        except Conflict:
            results.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["conflict", "won"]
    assert Application.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_acceptances_cannot_both_take_the_last_place(world):
    import threading

    from django.db import connection

    if connection.vendor == "sqlite":
        pytest.skip("Runs on PostgreSQL: the in-memory SQLite test database is per thread.")

    programme = open_recruitment(world.programme, places=1)
    apps = [apply(programme, world.applicant), apply(programme, world.other_applicant)]
    results: list[str] = []
    barrier = threading.Barrier(2)

    def accept(app: Application) -> None:
        barrier.wait()
        try:
            services.decide_application(app, decision="accepted", by=None)
            results.append("accepted")
        except services.OverCapacity:
            results.append("full")
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(a,)) for a in apps]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["accepted", "full"]
    assert Application.objects.filter(status="accepted").count() == 1


# --- Confirmation on applying ----------------------------------------------------------------


def test_applying_sends_a_confirmation_saying_what_happens_next(
    world, programme, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        app = apply(programme, world.applicant)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["jess@northwind.test"]
    assert "Digital confidence 2027" in message.subject
    assert "The programme team will read your application" in message.body
    assert f"/applications/{app.pk}/" in message.body
    notification = world.applicant.notifications.get()
    assert notification.kind == "application"


def test_the_confirmation_follows_preferences_and_says_so_for_open_places(
    world, programme, django_capture_on_commit_callbacks
):
    from upward.notifications.models import Delivery, NotificationPreference

    NotificationPreference.objects.create(
        person=world.applicant, kind="application", delivery=Delivery.IN_APP
    )
    Programme.objects.filter(pk=programme.pk).update(selection_mode="open")
    programme.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        apply(programme, world.applicant)
    assert mail.outbox == []  # in the app only, as the applicant chose
    assert "You have a place" in world.applicant.notifications.get().body
