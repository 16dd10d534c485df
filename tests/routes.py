"""The route table the authorisation matrix and the no-5xx property test share.

Every route of the URL configuration has a row here: how to fill its parameters from the matrix
world (`tests/conftest.py`) and its access class. `ACCESS` (below) says what each persona gets
for each access class. A route without a row fails `test_every_route_has_a_row`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver

# ---------------------------------------------------------------------------------------------
# Answers

OK = "ok"  # the row's `ok` status (200 for a page, 405 for a GET on a POST-only action, ...)
LOGIN = "login"  # 302 to a sign-in page
NO = "404"  # 404: the same answer as for an object that does not exist
AWAY = "302"  # a redirect elsewhere (a signed-in person sent on from a sign-in form)
DENIED = "401"  # an API's answer to someone who is not signed in (no sign-in page to send to)

# What each persona gets on GET, per access class. A persona "has access" where the cell is ok.
# A POST-only action (`action()` rows) answers a GET with 405 before any access check, so on
# those rows 404 cells read 405 for GET.
# For POST with an empty form the answers differ, and are checked as: a persona without access
# gets 404 or 405 (never a 2xx, 3xx or other 4xx that acts or tells), the signed-out visitor a
# redirect to sign-in (or 405), and a persona with access anything but 404 (a form with errors,
# a redirect after acting, 405 on GET-only pages).
ACCESS_TABLE = """
class               anon   org_admin admin_mentee manager cross_manager mentor mentee line_manager safeguarding employee outsider
public              ok     ok        ok           ok      ok            ok     ok     ok           ok           ok       ok
signed-out-only     ok     302       302          302     302           302    302    302          302          302      302
sign-in-stage       login  302       302          302     302           302    302    302          302          302      302
signed-in           login  ok        ok           ok      ok            ok     ok     ok           ok           ok       ok
signed-in-api       401    ok        ok           ok      ok            ok     ok     ok           ok           ok       ok
org-admin-api       401    ok        ok           404     404           404    404    404          404          404      ok
org-admin-object-api 401   ok        ok           404     404           404    404    404          404          404      404
org-admin           login  ok        ok           404     404           404    404    404          404          404      ok
org-admin-object    login  ok        ok           404     404           404    404    404          404          404      404
runs-programmes     login  ok        ok           ok      ok            404    404    404          404          404      ok
journey-template    login  ok        ok           ok      ok            404    404    404          404          404      404
builtin-template    login  ok        ok           ok      ok            404    404    404          404          404      ok
programme-team      login  ok        404          ok      404           404    404    404          404          404      404
other-programme-team login ok        ok           404     ok            404    404    404          404          404      404
programme-admin     login  ok        404          404     404           404    404    404          404          404      404
safety              login  404       404          ok      404           404    404    404          ok           404      404
pair                login  404       404          404     404           ok     ok     404          404          404      404
mentor-own          login  404       404          404     404           ok     404    404          404          404      404
mentee-own          login  404       404          404     404           404    ok     404          404          404      404
invitee             login  404       404          404     404           404    404    404          404          ok       404
participant         login  404       ok           404     ok            ok     ok     404          404          404      404
mentee-respondent   login  404       ok           404     404           404    ok     404          404          404      404
announcement        login  ok        ok           ok      ok            ok     ok     404          404          404      404
mentor-cohort       login  ok        404          ok      ok            ok     404    404          404          404      404
mentee-cohort       login  ok        ok           ok      404           404    ok     404          404          404      404
cohort-moderator    login  ok        404          ok      404           404    404    404          404          404      404
colleague           login  ok        ok           ok      ok            ok     ok     ok           ok           ok       404
resource-editor     login  ok        ok           ok      404           404    404    404          404          404      404
admin-site          login  login     login        login   login         login  login  login        login        login    login
api-programme       401    ok        ok           ok      ok            ok     ok     404          404          404      404
api-team            401    ok        404          ok      404           404    404    404          404          404      404
api-pairing         401    ok        404          ok      404           ok     ok     404          404          404      404
api-pair            401    404       404          404     404           ok     ok     404          404          404      404
"""


def parse_access_table(text: str) -> dict[str, dict[str, str]]:
    lines = [line.split() for line in text.strip().splitlines()]
    header, rows = lines[0][1:], lines[1:]
    table = {}
    for cells in rows:
        assert len(cells) == len(header) + 1, f"access table row {cells[0]} has the wrong width"
        table[cells[0]] = dict(zip(header, cells[1:], strict=True))
    return table


ACCESS = parse_access_table(ACCESS_TABLE)
PERSONA_COLUMNS = tuple(parse_access_table(ACCESS_TABLE)["public"])

# Cells whose target answer waits for a fix that has not landed yet. While a cell here still
# answers the old way it is reported, not failed; once it gives the target answer the matrix
# fails until the entry is removed, so the list only shrinks. Keyed by (access class, persona)
# or (route, persona). Empty: every cell gives its target answer.
PENDING: dict[tuple[str, str], str] = {}


# ---------------------------------------------------------------------------------------------
# Rows


@dataclass(frozen=True)
class Row:
    access: str
    fill: dict[str, str] = field(default_factory=dict)  # parameter -> key of matrix.ids or =literal
    ok: tuple[int, ...] = (200,)  # what a persona with access gets on GET
    shows: str = ""  # key of matrix.texts (or literal text) a 200 page must contain
    path: str = ""  # a concrete path, for regular-expression routes
    layout: bool = True  # a 200 is a full page of the site (not a fragment, file or API)
    post: dict[str, str] = field(default_factory=dict)  # form fields a POST needs to reach its
    # object (field -> key of matrix.ids); the rest of the form is left empty

    def __post_init__(self) -> None:
        assert self.access in ACCESS, f"unknown access class {self.access!r}"

    @property
    def is_action(self) -> bool:
        return self.ok == (405,)


def row(
    access: str,
    *,
    ok: int | tuple[int, ...] = 200,
    shows: str = "",
    path: str = "",
    layout: bool = True,
    post: dict[str, str] | None = None,
    **fill: str,
) -> Row:
    return Row(
        access=access,
        fill=fill,
        ok=ok if isinstance(ok, tuple) else (ok,),
        shows=shows,
        path=path,
        layout=layout,
        post=post or {},
    )


def action(access: str, *, post: dict[str, str] | None = None, **fill: str) -> Row:
    """A POST-only route: GET answers 405 to anyone signed in, before any access check."""
    return row(access, ok=405, post=post, **fill)


PUBLIC, SIGNED_IN, ORG_ADMIN, ORG_ADMIN_OBJECT = (
    "public",
    "signed-in",
    "org-admin",
    "org-admin-object",
)
TEAM, OTHER_TEAM, SAFETY, PAIR = "programme-team", "other-programme-team", "safety", "pair"
MENTOR_OWN, MENTEE_OWN = "mentor-own", "mentee-own"

P = {"pk": "programme"}
PAIRING = {"pk": "pairing"}

ROUTES: dict[str, list[Row]] = {
    # Core
    "": [row("signed-out-only")],
    "dashboard/": [row(SIGNED_IN)],
    # "Today": anyone who runs programmes (an empty page when none is under way).
    "today/": [row("runs-programmes")],
    "healthz": [row(PUBLIC)],
    # Browsers post CSP violation reports themselves: public, POST only, rate limited.
    "csp-report/": [row(PUBLIC, ok=405, layout=False)],
    # Sign-in (allauth): forms for visitors, settings for people signed in
    "accounts/login/": [row("signed-out-only")],
    "accounts/logout/": [row(SIGNED_IN)],
    "accounts/inactive/": [row(PUBLIC)],
    "accounts/signup/": [row("signed-out-only")],
    "accounts/reauthenticate/": [row(SIGNED_IN)],
    "accounts/email/": [row(SIGNED_IN)],
    "accounts/confirm-email/": [row(PUBLIC)],
    "accounts/password/change/": [row(SIGNED_IN)],
    # Everybody here has a password already: allauth sends them to change it instead.
    "accounts/password/set/": [row(SIGNED_IN, ok=302)],
    "accounts/password/reset/": [row(PUBLIC)],
    # A step of signing in: only reachable while a sign-in is under way.
    "accounts/login/code/confirm/": [row("sign-in-stage")],
    "accounts/^confirm-email/(?P<key>[-:\\w]+)/$": [
        row(PUBLIC, path="accounts/confirm-email/{email_key}/")
    ],
    "accounts/password/reset/key/done/": [row(PUBLIC)],
    "accounts/^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$": [
        row(PUBLIC, path="accounts/password/reset/key/1-not-a-real-key/")
    ],
    "accounts/password/reset/done/": [row(PUBLIC)],
    # Two-factor pages of a person with no authenticator yet: allauth asks them to confirm
    # their password first (302), and has no codes or app to show or remove (404).
    "accounts/2fa/": [row(SIGNED_IN)],
    "accounts/2fa/authenticate/": [row("sign-in-stage")],
    "accounts/2fa/reauthenticate/": [row(SIGNED_IN, ok=302)],
    "accounts/2fa/totp/activate/": [row(SIGNED_IN, ok=302)],
    "accounts/2fa/totp/deactivate/": [row(SIGNED_IN, ok=404)],
    "accounts/2fa/recovery-codes/": [row(SIGNED_IN, ok=404)],
    "accounts/2fa/recovery-codes/generate/": [row(SIGNED_IN, ok=302)],
    "accounts/2fa/recovery-codes/download/": [row(SIGNED_IN, ok=404)],
    "invitation/<token>/": [row(PUBLIC, token="account_invitation_token")],
    # The directory and organisation set-up
    "people/": [row(ORG_ADMIN)],  # the outsider sees their own directory, so no name here
    "people/new/": [row(ORG_ADMIN)],
    "people/<pk>/": [row(ORG_ADMIN_OBJECT, pk="person", shows="mentor")],
    "people/<pk>/edit/": [row(ORG_ADMIN_OBJECT, pk="person", shows="mentor")],
    "people/<pk>/leave/": [row(ORG_ADMIN_OBJECT, pk="person")],
    "people/me/away/": [row(SIGNED_IN)],
    # A person's own optional answers and consents: no id, only ever their own.
    "people/me/about/": [row(SIGNED_IN)],
    "people/me/about/consent/<purpose>/grant/": [action(SIGNED_IN, purpose="=matching")],
    "people/me/about/consent/<purpose>/withdraw/": [row(SIGNED_IN, purpose="=matching")],
    "people/audit/": [row(ORG_ADMIN)],  # the outsider sees their own organisation's log
    "people/<pk>/back/": [action(ORG_ADMIN_OBJECT, pk="person")],
    "people/<pk>/invite/": [action(ORG_ADMIN_OBJECT, pk="person")],
    "people/import/": [row(ORG_ADMIN)],
    "people/import/template.csv": [row(ORG_ADMIN)],
    "people/import/<pk>/": [row(ORG_ADMIN_OBJECT, pk="people_import")],
    "people/import/<pk>/status/": [row(ORG_ADMIN_OBJECT, pk="people_import")],
    "people/import/<pk>/apply/": [action(ORG_ADMIN_OBJECT, pk="people_import")],
    "people/import/<pk>/cancel/": [action(ORG_ADMIN_OBJECT, pk="people_import")],
    "people/setup/": [row(ORG_ADMIN)],
    "people/setup/logo/": [row(ORG_ADMIN)],
    # The test organisation has no logo: the admin gets a 404 (no image) after the access check.
    "people/setup/logo/image.png": [row(ORG_ADMIN, ok=404, layout=False)],
    # With no logo to remove, the admin is sent back to the logo page.
    "people/setup/logo/remove/": [row(ORG_ADMIN, ok=302, layout=False)],
    "people/setup/levels/new/": [row(ORG_ADMIN)],
    "people/setup/levels/<pk>/": [row(ORG_ADMIN_OBJECT, pk="level")],
    "people/setup/levels/<pk>/move/": [action(ORG_ADMIN_OBJECT, pk="level")],
    "people/setup/levels/<pk>/delete/": [row(ORG_ADMIN_OBJECT, pk="level")],
    "people/setup/departments/new/": [row(ORG_ADMIN)],
    "people/setup/departments/<pk>/": [row(ORG_ADMIN_OBJECT, pk="department")],
    "people/setup/departments/<pk>/delete/": [row(ORG_ADMIN_OBJECT, pk="department")],
    "people/setup/teams/new/": [row(ORG_ADMIN)],
    "people/setup/teams/<pk>/": [row(ORG_ADMIN_OBJECT, pk="team")],
    "people/setup/teams/<pk>/delete/": [row(ORG_ADMIN_OBJECT, pk="team")],
    "people/setup/topics/new/": [row(ORG_ADMIN)],
    "people/setup/topics/<pk>/": [row(ORG_ADMIN_OBJECT, pk="topic")],
    # Programmes: the programme this pair is in, and the one the cross manager runs
    "programmes/": [row(SIGNED_IN)],
    "programmes/new/": [row("runs-programmes")],
    "programmes/<pk>/": [
        row(TEAM, shows="programme", **P),
        row(OTHER_TEAM, shows="other_programme", pk="other_programme"),
    ],
    "programmes/<pk>/edit/": [
        row(TEAM, shows="programme", **P),
        row(OTHER_TEAM, pk="other_programme"),
    ],
    "programmes/<pk>/move/<to>/": [row(TEAM, to="=completed", **P)],
    "programmes/<pk>/sign-up/new-link/": [row(TEAM, **P)],
    "programmes/<pk>/sign-up/<action>/": [row(TEAM, action="=close", **P)],
    "programmes/<pk>/managers/": [row("programme-admin", **P)],
    "programmes/<pk>/next-cohort/": [row(TEAM, **P)],
    "programmes/<pk>/questions/": [row(TEAM, **P)],
    "programmes/<pk>/questions/<question_pk>/edit/": [row(TEAM, question_pk="question", **P)],
    "programmes/<pk>/questions/<question_pk>/delete/": [row(TEAM, question_pk="question", **P)],
    "programmes/<pk>/questions/<question_pk>/move/": [action(TEAM, question_pk="question", **P)],
    "programmes/join/<token>/": [row(PUBLIC, token="signup_token", shows="other_programme")],
    # Recruitment
    "join/<token>/apply/": [row("colleague", token="signup_token", shows="other_programme")],
    "join/<token>/colleagues/": [row("colleague", token="signup_token", layout=False)],
    "applications/<pk>/": [row(MENTOR_OWN, pk="application")],
    # An accepted application can no longer change: its owner is sent back to it.
    "applications/<pk>/edit/": [row(MENTOR_OWN, ok=302, pk="application")],
    "applications/<pk>/withdraw/": [row(MENTOR_OWN, ok=302, pk="application")],
    # The invitation link sends its invitee on to the sign-up form, in the invited role.
    "invitations/<token>/": [row("invitee", ok=302, token="invitation_token")],
    "programmes/<pk>/applications/": [
        row(TEAM, shows="mentor", **P),
        row(OTHER_TEAM, pk="other_programme"),
    ],
    "programmes/<pk>/applications/bulk/": [action(TEAM, **P)],
    "programmes/<pk>/applications/<application_pk>/": [
        row(TEAM, application_pk="application", shows="mentor", **P)
    ],
    "programmes/<pk>/invitations/": [row(TEAM, **P)],
    # Matching
    "programmes/<pk>/matching/": [row(TEAM, **P)],
    "programmes/<pk>/matching/runs/": [row(TEAM, **P)],
    "programmes/<pk>/matching/runs/<run_pk>/": [row(TEAM, run_pk="run", **P)],
    # The person picker's results (a fragment without the page layout).
    "programmes/<pk>/matching/runs/<run_pk>/people/": [
        row(
            TEAM,
            layout=False,
            path="programmes/{programme}/matching/runs/{run}/people/?field=mentor",
        )
    ],
    "programmes/<pk>/matching/people/": [
        row(TEAM, layout=False, path="programmes/{programme}/matching/people/?field=mentor")
    ],
    "programmes/<pk>/matching/runs/<run_pk>/publish/": [row(TEAM, run_pk="run", **P)],
    "programmes/<pk>/matching/runs/<run_pk>/swap/": [action(TEAM, run_pk="run", **P)],
    "programmes/<pk>/matching/runs/<run_pk>/include/": [action(TEAM, run_pk="run", **P)],
    "programmes/<pk>/matching/runs/<run_pk>/resolve-again/": [action(TEAM, run_pk="run", **P)],
    "programmes/<pk>/matching/rounds/": [action(TEAM, **P)],
    "programmes/<pk>/matching/rounds/<round_pk>/": [row(TEAM, round_pk="round", **P)],
    "programmes/<pk>/matching/rounds/<round_pk>/close/": [action(TEAM, round_pk="round", **P)],
    "programmes/<pk>/matching/rounds/<round_pk>/cancel/": [action(TEAM, round_pk="round", **P)],
    "programmes/<pk>/matching/rules/": [action(TEAM, **P)],
    "programmes/<pk>/matching/rules/<rule_pk>/remove/": [action(TEAM, rule_pk="rule", **P)],
    "programmes/<pk>/pairings/": [row(TEAM, shows="mentor", **P)],
    "programmes/<pk>/pairings/<pairing_pk>/end/": [row(TEAM, pairing_pk="pairing", **P)],
    "programmes/<pk>/pairings/<pairing_pk>/new-partner/": [action(TEAM, pairing_pk="pairing", **P)],
    "programmes/<pk>/pairings/<pairing_pk>/complete/": [action(TEAM, pairing_pk="pairing", **P)],
    "programmes/<pk>/waiting/<person_pk>/find-partner/": [action(TEAM, person_pk="person", **P)],
    "pairings/<pk>/": [row(PAIR, shows="programme", **PAIRING)],
    "pairings/<pk>/answer/": [action(PAIR, **PAIRING)],
    "choices/<pk>/": [row(MENTOR_OWN, pk="round")],
    # The journey
    # Someone in exactly one pairing goes straight to its journey.
    "journey/": [row(SIGNED_IN, ok=(200, 302))],
    "pairings/<pk>/journey/": [row(PAIR, **PAIRING)],
    "pairings/<pk>/agreement/": [row(PAIR, **PAIRING)],
    "pairings/<pk>/agreement/confirm/": [action(PAIR, **PAIRING)],
    "pairings/<pk>/meetings/": [row(PAIR, **PAIRING)],
    "pairings/<pk>/meetings/new/": [row(PAIR, **PAIRING)],
    "pairings/<pk>/meetings/log/": [row(PAIR, **PAIRING)],
    "meetings/<pk>/": [row(PAIR, pk="meeting")],
    "meetings/<pk>/change/": [row(PAIR, pk="meeting")],
    "meetings/<pk>/cancel/": [row(PAIR, pk="meeting")],
    "meetings/<pk>/record/": [row(PAIR, pk="held_meeting")],
    "meetings/<pk>/invite.ics": [row(PAIR, pk="meeting")],
    "agenda/<pk>/toggle/": [action(PAIR, pk="agenda_item")],
    "events/": [row(SIGNED_IN)],
    "events/<pk>/": [row("participant", pk="event", shows="event")],
    "events/<pk>/invite.ics": [row("participant", pk="event")],
    "calendar/": [row(SIGNED_IN)],
    "calendar/<token>.ics": [row(PUBLIC, token="feed_token")],
    "programmes/<pk>/journey/": [row(TEAM, **P)],
    "programmes/<pk>/journey/pairs/": [row(TEAM, **P)],
    "programmes/<pk>/journey/pairs/<pairing_pk>/": [row(TEAM, pairing_pk="pairing", **P)],
    "programmes/<pk>/events/": [row(TEAM, **P)],
    "programmes/<pk>/events/new/": [row(TEAM, **P)],
    "programmes/<pk>/events/<event_pk>/edit/": [row(TEAM, event_pk="event", **P)],
    "programmes/<pk>/events/<event_pk>/cancel/": [row(TEAM, event_pk="event", **P)],
    "programmes/<pk>/events/<event_pk>/": [row(TEAM, event_pk="event", **P)],
    "journeys/": [row("runs-programmes")],
    "journeys/<pk>/": [
        row("journey-template", pk="template"),
        row("builtin-template", pk="builtin_template"),
    ],
    "journeys/<pk>/copy/": [
        action("journey-template", pk="template"),
        action("builtin-template", pk="builtin_template"),
    ],
    "journeys/<pk>/rename/": [action("journey-template", pk="template")],
    "journeys/<pk>/draft/": [row("journey-template", pk="template")],
    "journeys/<pk>/draft/publish/": [action("journey-template", pk="template")],
    "journeys/<pk>/draft/discard/": [action("journey-template", pk="template")],
    "journeys/<pk>/draft/steps/new/": [row("journey-template", pk="template")],
    "journeys/<pk>/draft/steps/<step_pk>/": [
        row("journey-template", pk="template", step_pk="step")
    ],
    "journeys/<pk>/draft/steps/<step_pk>/delete/": [
        action("journey-template", pk="template", step_pk="step")
    ],
    "journeys/<pk>/draft/steps/<step_pk>/move/": [
        action("journey-template", pk="template", step_pk="step")
    ],
    # The pair workspace
    "pairings/<pk>/notes/": [row(PAIR, shows="note", **PAIRING)],
    "pairings/<pk>/notes/new/": [row(PAIR, **PAIRING)],
    "pairings/<pk>/notes/<note_pk>/": [row(PAIR, note_pk="note", shows="note", **PAIRING)],
    "pairings/<pk>/notes/<note_pk>/edit/": [row(PAIR, note_pk="note", **PAIRING)],
    "pairings/<pk>/notes/<note_pk>/history/": [row(PAIR, note_pk="note", **PAIRING)],
    "pairings/<pk>/notes/<note_pk>/delete/": [row(PAIR, note_pk="note", **PAIRING)],
    "pairings/<pk>/private-notes/": [row(PAIR, **PAIRING)],
    "meetings/<meeting_pk>/my-note/": [row(PAIR, meeting_pk="held_meeting")],
    "pairings/<pk>/messages/": [row(PAIR, shows="message", **PAIRING)],
    "account/notifications/": [row(SIGNED_IN, ok=301)],
    "programmes/<pk>/cohort/<cohort>/": [
        row("mentor-cohort", cohort="=mentor", **P),
        row("mentee-cohort", cohort="=mentee", **P),
    ],
    "programmes/<pk>/cohort/<cohort>/posts/<post_pk>/hide/": [
        row("cohort-moderator", cohort="=mentor", post_pk="cohort_post", **P)
    ],
    # Goals and skills
    "pairings/<pk>/goals/": [row(PAIR, shows="goal", **PAIRING)],
    "pairings/<pk>/goals/new/": [row(PAIR, **PAIRING)],
    "pairings/<pk>/goals/<goal_pk>/edit/": [row(PAIR, goal_pk="goal", **PAIRING)],
    "pairings/<pk>/goals/<goal_pk>/move/": [action(PAIR, goal_pk="goal", **PAIRING)],
    "pairings/<pk>/goals/<goal_pk>/delete/": [row(PAIR, goal_pk="goal", **PAIRING)],
    "pairings/<pk>/goals/<goal_pk>/tasks/new/": [row(PAIR, goal_pk="goal", **PAIRING)],
    "pairings/<pk>/tasks/<task_pk>/done/": [action(PAIR, task_pk="task", **PAIRING)],
    "pairings/<pk>/tasks/<task_pk>/delete/": [row(PAIR, task_pk="task", **PAIRING)],
    "pairings/<pk>/skills/": [row(PAIR, **PAIRING)],
    "pairings/<pk>/skills/<kind>/<whom>/": [row(PAIR, kind="=baseline", whom="=me", **PAIRING)],
    "pairings/<pk>/workbook/": [row(PAIR, **PAIRING)],
    "programmes/<pk>/goals-overview/": [row(TEAM, **P)],
    "programmes/<pk>/skills-framework/": [row(TEAM, **P)],
    "programmes/<pk>/skills-framework/new/": [row(TEAM, **P)],
    "programmes/<pk>/skills-framework/<skill_pk>/edit/": [row(TEAM, skill_pk="skill", **P)],
    "programmes/<pk>/skills-framework/<skill_pk>/remove/": [row(TEAM, skill_pk="skill", **P)],
    # Resources
    "resources/": [row(SIGNED_IN)],  # the outsider sees their own library
    "resources/new/": [row("runs-programmes")],
    "resources/<pk>/edit/": [row("resource-editor", pk="resource")],
    "resources/<pk>/delete/": [row("resource-editor", pk="resource")],
    "resources/<pk>/file/": [row("colleague", pk="resource")],
    "pairings/<pk>/resources/": [row(PAIR, **PAIRING)],
    "pairings/<pk>/resources/save/": [action(PAIR, post={"resource": "resource"}, **PAIRING)],
    "pairings/<pk>/resources/<item_pk>/done/": [action(PAIR, item_pk="saved_item", **PAIRING)],
    "pairings/<pk>/resources/<item_pk>/remove/": [action(PAIR, item_pk="saved_item", **PAIRING)],
    # Surveys
    "programmes/<pk>/surveys/": [row(TEAM, **P)],
    "programmes/<pk>/surveys/new/": [row(TEAM, **P)],
    "programmes/<pk>/surveys/<survey_pk>/": [row(TEAM, survey_pk="survey", **P)],
    "programmes/<pk>/surveys/<survey_pk>/edit/": [row(TEAM, survey_pk="survey", **P)],
    "programmes/<pk>/surveys/<survey_pk>/open/": [row(TEAM, survey_pk="survey", **P)],
    "programmes/<pk>/surveys/<survey_pk>/close/": [row(TEAM, survey_pk="survey", **P)],
    "programmes/<pk>/surveys/<survey_pk>/send/": [row(TEAM, survey_pk="survey", **P)],
    "programmes/<pk>/surveys/<survey_pk>/delete/": [row(TEAM, survey_pk="survey", **P)],
    "programmes/<pk>/surveys/<survey_pk>/questions/<question_pk>/edit/": [
        row(TEAM, survey_pk="survey", question_pk="survey_question", **P)
    ],
    "programmes/<pk>/surveys/<survey_pk>/questions/<question_pk>/delete/": [
        row(TEAM, survey_pk="survey", question_pk="survey_question", **P)
    ],
    "programmes/<pk>/surveys/<survey_pk>/questions/<question_pk>/move/": [
        action(TEAM, survey_pk="survey", question_pk="survey_question", **P)
    ],
    "programmes/<pk>/outcomes/": [row(TEAM, **P)],
    "programmes/<pk>/outcomes/measure/": [action(TEAM, **P)],
    "programmes/<pk>/outcomes.csv": [row(TEAM, **P)],
    "surveys/": [row(SIGNED_IN)],
    # Announcements: managers write them; the people they were sent to (and managers) read them.
    "programmes/<pk>/announcements/": [row(TEAM, **P)],
    "programmes/<pk>/announcements/new/": [row(TEAM, **P)],
    "programmes/<pk>/announcements/send/": [action(TEAM, **P)],
    "announcements/<announcement_pk>/": [row("announcement", announcement_pk="announcement")],
    "surveys/<survey_pk>/answer/": [row("mentee-respondent", survey_pk="survey")],
    # The form, or (for the mentor, who has answered) on to the thank-you page.
    "surveys/<survey_pk>/answer/<occasion>/": [
        row(PAIR, ok=(200, 302), survey_pk="session_survey", occasion="session_occasion")
    ],
    # Only after answering: the mentor has answered the session survey, the mentee has not.
    "surveys/<survey_pk>/thanks/": [row(MENTOR_OWN, survey_pk="session_survey")],
    # Safety: the pair's side, then the safety viewers'
    "pairings/<pk>/pulse/<meeting_pk>/": [row(MENTOR_OWN, meeting_pk="held_meeting", **PAIRING)],
    "pairings/<pk>/end/": [row(PAIR, **PAIRING)],
    "pairings/<pk>/new-partner/": [row(PAIR, **PAIRING)],
    "pairings/<pk>/concern/": [row(PAIR, **PAIRING)],
    "my-concerns/": [row(SIGNED_IN)],
    "programmes/<pk>/attention/": [row(SAFETY, **P)],
    "programmes/<pk>/attention/settings/": [row(SAFETY, **P)],
    "programmes/<pk>/attention/exits/": [row(SAFETY, **P)],
    "programmes/<pk>/attention/snooze/": [action(SAFETY, **P)],
    "programmes/<pk>/attention/pairings/<pairing_pk>/snooze/": [
        action(SAFETY, pairing_pk="pairing", **P)
    ],
    "programmes/<pk>/attention/concerns/<concern_pk>/": [
        row(SAFETY, concern_pk="concern", shows="He talks over me.", **P),
        row(SAFETY, concern_pk="other_concern", shows="Meetings keep moving.", **P),
    ],
    "programmes/<pk>/attention/concerns/<concern_pk>/move/": [
        action(SAFETY, concern_pk="concern", **P)
    ],
    "programmes/<pk>/attention/requests/<request_pk>/done/": [
        action(SAFETY, request_pk="rematch_request", **P)
    ],
    "programmes/<pk>/attention/pairings/<pairing_pk>/check-in/": [
        row(SAFETY, pairing_pk="pairing", **P)
    ],
    "programmes/<pk>/attention/check-ins/<check_in_pk>/": [
        row(SAFETY, check_in_pk="check_in", shows="Follow up the pulse", **P)
    ],
    "programmes/<pk>/attention/pairings/<pairing_pk>/pulses/": [
        row(SAFETY, pairing_pk="pairing", **P),
        row(SAFETY, pairing_pk="other_pair", **P),
    ],
    # Naming safeguarding contacts: org admins of the organisation
    "safeguarding-contacts/": [row(ORG_ADMIN)],
    "safeguarding-contacts/<contact_pk>/remove/": [
        action(ORG_ADMIN_OBJECT, contact_pk="safeguarding_contact")
    ],
    # Notifications
    "notifications/": [row(SIGNED_IN)],
    "notifications/preferences/": [row(SIGNED_IN)],
    "notifications/read-all/": [action(SIGNED_IN)],
    "notifications/<pk>/read/": [action(MENTOR_OWN, pk="notification")],
    "notifications/<pk>/open/": [action(MENTOR_OWN, pk="notification")],
    # Impact
    "pairings/<pk>/commitments/": [row(PAIR, **PAIRING)],
    "pairings/<pk>/commitments/new/": [row(PAIR, **PAIRING)],
    "pairings/<pk>/commitments/<item_pk>/edit/": [row(MENTOR_OWN, item_pk="commitment", **PAIRING)],
    "pairings/<pk>/commitments/<item_pk>/status/": [
        action(MENTOR_OWN, item_pk="commitment", **PAIRING)
    ],
    "pairings/<pk>/commitments/<item_pk>/delete/": [
        row(MENTOR_OWN, item_pk="commitment", **PAIRING)
    ],
    "pairings/<pk>/thank-you/": [row(MENTEE_OWN, **PAIRING)],
    "pairings/<pk>/contribution/": [row(MENTOR_OWN, **PAIRING)],
    "pairings/<pk>/contribution/record.pdf": [row(MENTOR_OWN, **PAIRING)],
    # The certificate waits for the pairing to complete.
    "pairings/<pk>/contribution/certificate.pdf": [row(MENTOR_OWN, ok=302, **PAIRING)],
    "pairings/<pk>/contribution/share/": [row(MENTOR_OWN, **PAIRING)],
    "pairings/<pk>/contribution/thank-you-note/": [action(MENTOR_OWN, **PAIRING)],
    "programmes/<pk>/impact/": [row(TEAM, **P)],
    "programmes/<pk>/mentor-time/": [row(TEAM, **P)],
    "programmes/<pk>/mentor-time/cap/": [row(TEAM, **P)],
    "mentor-load/": [row("runs-programmes")],
    # Privacy (issue 15, i15-rights): everyone sees their own data; admins erase people of their
    # organisation and set how long data is kept.
    "privacy/my-data/": [row(SIGNED_IN)],
    "privacy/my-data.json": [row(SIGNED_IN, layout=False)],
    "privacy/people/<pk>/erase/": [row(ORG_ADMIN_OBJECT, pk="person", shows="mentor")],
    "privacy/retention/": [row(ORG_ADMIN)],
    # issue 16: exports
    # The organisation's exports and the column dictionary: people who run programmes (the
    # outsider, an admin elsewhere, sees their own organisation's); the people directory: admins.
    "exports/": [row("runs-programmes")],
    "exports/columns/": [row("runs-programmes")],
    "exports/<kind>.<fmt>": [
        row("runs-programmes", kind="=programmes", fmt="=csv", layout=False),
        row(ORG_ADMIN, kind="=people", fmt="=xlsx", layout=False),
    ],
    "programmes/<pk>/exports/": [row(TEAM, **P)],
    "programmes/<pk>/exports/<kind>.<fmt>": [
        row(TEAM, kind="=pairings", fmt="=csv", layout=False, **P),
        row(TEAM, kind="=survey-aggregates", fmt="=xlsx", layout=False, **P),
    ],
    # issue 16: overview
    # The organisation overview: admins and people who run programmes, each over their own.
    "overview/": [row("runs-programmes")],
    # issue 16: report
    "programmes/<pk>/report/": [row(TEAM, **P)],
    "programmes/<pk>/report/print/": [row(TEAM, layout=False, **P)],
    "programmes/<pk>/report.pdf": [row(TEAM, layout=False, **P)],
    # issue 16: suppress
    # Inclusion report: organisation admins only (the outsider sees their own, empty, one).
    "overview/inclusion/": [row(ORG_ADMIN)],
    # API
    # The API description and its docs: signed-in people only (served from our own files).
    "api/schema/": [row("signed-in-api", layout=False)],
    "api/docs/": [row(SIGNED_IN, layout=False)],
    # --- issue 17: chat ---
    # Chat settings: organisation admins, each over their own organisation's (the outsider sees
    # their own, empty, page). Removal asks first on GET and acts on POST.
    "organisation/chat/": [row(ORG_ADMIN)],
    "organisation/chat/test/": [action(ORG_ADMIN)],
    "organisation/chat/remove/<what>/": [row(ORG_ADMIN, what="=slack-bot")],
    # --- webhooks ---
    # Outgoing webhooks: an organisation's admins, over their own organisation's endpoints (the
    # outsider, an admin elsewhere, sees their own empty list and 404 on ours).
    "organisation/webhooks/": [row(ORG_ADMIN)],
    "organisation/webhooks/new/": [row(ORG_ADMIN)],
    "organisation/webhooks/<pk>/": [row(ORG_ADMIN_OBJECT, pk="webhook_endpoint")],
    "organisation/webhooks/<pk>/edit/": [row(ORG_ADMIN_OBJECT, pk="webhook_endpoint")],
    "organisation/webhooks/<pk>/delete/": [row(ORG_ADMIN_OBJECT, pk="webhook_endpoint")],
    "organisation/webhooks/<pk>/secret/": [row(ORG_ADMIN_OBJECT, pk="webhook_endpoint")],
    "organisation/webhooks/<pk>/secret/roll/": [row(ORG_ADMIN_OBJECT, pk="webhook_endpoint")],
    "organisation/webhooks/<pk>/test/": [action(ORG_ADMIN_OBJECT, pk="webhook_endpoint")],
    "organisation/webhooks/<pk>/deliveries/<delivery_pk>/redeliver/": [
        action(ORG_ADMIN_OBJECT, pk="webhook_endpoint", delivery_pk="webhook_delivery")
    ],
    # --- SCIM provisioning (issue 17) ---
    # The admins' help page; the SCIM endpoints take only a service token with the scim scope,
    # so every persona (signed in by session, not by token) gets the SCIM error answer 401.
    "organisation/scim/": [row(ORG_ADMIN)],
    "scim/v2/": [row("signed-in-api", ok=401, layout=False)],
    "scim/v2/ServiceProviderConfig": [row("signed-in-api", ok=401, layout=False)],
    "scim/v2/ResourceTypes": [row("signed-in-api", ok=401, layout=False)],
    "scim/v2/ResourceTypes/<type_id>": [
        row("signed-in-api", ok=401, layout=False, type_id="=User")
    ],
    "scim/v2/Schemas": [row("signed-in-api", ok=401, layout=False)],
    "scim/v2/Schemas/<schema_id>": [
        row(
            "signed-in-api",
            ok=401,
            layout=False,
            schema_id="=urn:ietf:params:scim:schemas:core:2.0:User",
        )
    ],
    "scim/v2/Users/.search": [row("signed-in-api", ok=401, layout=False)],
    "scim/v2/Users": [row("signed-in-api", ok=401, layout=False)],
    "scim/v2/Users/<uuid>": [row("signed-in-api", ok=401, layout=False, uuid="=1")],
    "scim/v2/.search": [row("signed-in-api", ok=401, layout=False)],
    "scim/v2/Bulk": [row("signed-in-api", ok=401, layout=False)],
    "scim/v2/Me": [row("signed-in-api", ok=401, layout=False)],
    "scim/v2/<rest>": [row("signed-in-api", ok=401, layout=False, rest="=Groups")],
    # --- i17 filesync ---
    # HR file sync: organisation admins only (the outsider sees their own organisation's).
    "organisation/file-sync/": [row(ORG_ADMIN)],
    "organisation/file-sync/check/": [action(ORG_ADMIN)],
    "organisation/file-sync/disable/": [action(ORG_ADMIN)],
    # --- issue 17: i17-sso ---
    # Email-first sign-in: the email step posts here (decides by the address's domain only).
    "sign-in/continue/": [row(PUBLIC, ok=405)],
    # An organisation's "Continue with ..." page; the matrix world has no provider.
    "sign-in/sso/<slug>/": [row(PUBLIC, ok=404, slug="=nobody")],
    # OpenID Connect back-channel logout: the provider's server posts a signed logout token.
    "sso/<slug>/backchannel-logout/": [row(PUBLIC, ok=405, slug="=nobody", layout=False)],
    # After signing out: on to the provider's own sign-out (none without a valid token).
    "signed-out/": [row(PUBLIC)],
    # The org admin's single sign-on settings (the outsider sees their own organisation's).
    "organisation/sso/": [row(ORG_ADMIN)],
    "organisation/sso/test/": [action(ORG_ADMIN)],
    # Nothing to turn off in the matrix world: back to the settings page.
    "organisation/sso/disable/": [row(ORG_ADMIN, ok=302)],
    # allauth's providers, named by organisation ("org-<slug>"): unknown ones answer 404. The
    # real flows are tested against a running provider in upward/sso/tests/.
    "accounts/oidc/^(?P<provider_id>[^/]+)/login/": [
        row(PUBLIC, ok=404, path="accounts/oidc/org-nobody/login/")
    ],
    "accounts/oidc/^(?P<provider_id>[^/]+)/login/callback/": [
        row(PUBLIC, ok=404, path="accounts/oidc/org-nobody/login/callback/")
    ],
    "accounts/^saml/(?P<organization_slug>[^/]+)/acs/": [
        row(PUBLIC, ok=302, path="accounts/saml/org-nobody/acs/")
    ],
    "accounts/^saml/(?P<organization_slug>[^/]+)/acs/finish/": [
        row(PUBLIC, ok=404, path="accounts/saml/org-nobody/acs/finish/")
    ],
    "accounts/^saml/(?P<organization_slug>[^/]+)/login/": [
        row(PUBLIC, ok=404, path="accounts/saml/org-nobody/login/")
    ],
    "accounts/^saml/(?P<organization_slug>[^/]+)/metadata/": [
        row(PUBLIC, ok=404, path="accounts/saml/org-nobody/metadata/", layout=False)
    ],
    "accounts/^saml/(?P<organization_slug>[^/]+)/sls/": [
        row(PUBLIC, ok=404, path="accounts/saml/org-nobody/sls/")
    ],
    # allauth's third-party account pages: the connected provider accounts of the signed-in
    # person, and the pages a provider sign-in ends on when it is cancelled or fails. Its
    # sign-up form is never used (the adapter links or refuses), so it sends people to sign in.
    "accounts/3rdparty/": [row(SIGNED_IN)],
    "accounts/3rdparty/login/cancelled/": [row(PUBLIC)],
    "accounts/3rdparty/login/error/": [row(PUBLIC, ok=401)],
    # allauth's old addresses for the same pages: permanent redirects. Where the address
    # redirected to has "login" in it, everyone reads as sent to sign in: the "admin-site" class
    # (a redirect for every persona) says exactly that.
    "accounts/3rdparty/signup/": [row("admin-site")],
    "accounts/social/connections/": [row(PUBLIC, ok=301)],
    "accounts/social/login/cancelled/": [row("admin-site")],
    "accounts/social/login/error/": [row("admin-site")],
    "accounts/social/signup/": [row(PUBLIC, ok=301)],
    # --- API core (issue 17) ---
    # Token pages: a person's own personal tokens; the organisation's service tokens (admins).
    "account/tokens/": [row(SIGNED_IN)],
    "organisation/tokens/": [row(ORG_ADMIN)],
    # The matrix world has no token: an id nobody holds answers 404 to all (holders and admins
    # revoking are in upward/api/tests/test_tokens_pages.py).
    "account/tokens/<pk>/revoke/": [row(SIGNED_IN, ok=404, pk="=999999")],
    "organisation/tokens/<pk>/revoke/": [row(ORG_ADMIN, ok=404, pk="=999999")],
    # Anyone with a token or a session: who is calling, and their organisation.
    "api/v1/me/": [row("signed-in-api", layout=False)],
    "api/v1/organisation/": [row("signed-in-api", layout=False)],
    # The directory and the structure: admins (and service tokens), 404 to other people.
    "api/v1/^people/$": [row("org-admin-api", path="api/v1/people/", layout=False)],
    "api/v1/^people/(?P<pk>[0-9]{1,18})/$": [
        row("org-admin-object-api", path="api/v1/people/{person}/", layout=False)
    ],
    "api/v1/people/upsert/": [row("org-admin-api", ok=405, layout=False)],
    "api/v1/^levels/$": [row("org-admin-api", path="api/v1/levels/", layout=False)],
    "api/v1/^levels/(?P<pk>[0-9]{1,18})/$": [
        row("org-admin-object-api", path="api/v1/levels/{level}/", layout=False)
    ],
    "api/v1/^departments/$": [row("org-admin-api", path="api/v1/departments/", layout=False)],
    "api/v1/^departments/(?P<pk>[0-9]{1,18})/$": [
        row("org-admin-object-api", path="api/v1/departments/{department}/", layout=False)
    ],
    "api/v1/^teams/$": [row("org-admin-api", path="api/v1/teams/", layout=False)],
    "api/v1/^teams/(?P<pk>[0-9]{1,18})/$": [
        row("org-admin-object-api", path="api/v1/teams/{team}/", layout=False)
    ],
    # Any other address under /api/v1/: a JSON 404 for everyone, signed in or not.
    "api/v1/^(?P<unknown>[\\s\\S]*)$": [
        row(PUBLIC, path="api/v1/no-such-resource/", ok=404, layout=False)
    ],
    # --- API resources (issue 17) ---
    # Programmes: their team and their participants; a participant sees their own pairings only.
    "api/v1/programmes/": [row("signed-in-api", layout=False)],
    "api/v1/programmes/<pk>/": [row("api-programme", layout=False, pk="programme")],
    "api/v1/programmes/<programme_pk>/pairings/": [
        row("api-programme", layout=False, programme_pk="programme")
    ],
    "api/v1/programmes/<programme_pk>/pairings/<pk>/": [
        row("api-pairing", layout=False, programme_pk="programme", pk="pairing")
    ],
    # Applications, participants and survey results: the programme's team only.
    "api/v1/programmes/<programme_pk>/applications/": [
        row("api-team", layout=False, programme_pk="programme")
    ],
    "api/v1/programmes/<programme_pk>/applications/<pk>/": [
        row("api-team", layout=False, programme_pk="programme", pk="application")
    ],
    "api/v1/programmes/<programme_pk>/applications/<pk>/decision/": [
        action("api-team", programme_pk="programme", pk="application")
    ],
    "api/v1/programmes/<programme_pk>/participants/": [
        row("api-team", layout=False, programme_pk="programme")
    ],
    "api/v1/programmes/<programme_pk>/survey-results/": [
        row("api-team", layout=False, programme_pk="programme")
    ],
    # The programme report's figures: the report page's readers (the programme's team).
    "api/v1/programmes/<programme_pk>/report/": [
        row("api-team", layout=False, programme_pk="programme")
    ],
    # Meetings: the pair's and their programme team's; lists answer everyone with their own.
    "api/v1/meetings/": [row("signed-in-api", layout=False)],
    "api/v1/meetings/<pk>/": [row("api-pairing", layout=False, pk="meeting")],
    # The caller's own goals and tasks: the two people of the pair only.
    "api/v1/me/goals/": [row("signed-in-api", layout=False)],
    "api/v1/me/goals/<pk>/": [row("api-pair", layout=False, pk="goal")],
    "api/v1/me/tasks/": [row("signed-in-api", layout=False)],
    "api/v1/me/tasks/<pk>/": [row("api-pair", layout=False, pk="task")],
}

# Routes under these prefixes are checked as one family (Django's admin site: one route per
# registered model). Each gets a representative path.
# Nobody in the matrix world is Django staff: everyone is sent to sign in.
PREFIX_ROWS: dict[str, Row] = {
    "admin/": row("admin-site", path="admin/"),
}

# ---------------------------------------------------------------------------------------------
# Walking the URL configuration

# <int:pk>, <id:pk> (the bounded converter), <str:token>, <slug:occasion>, <pk>
PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def all_routes(patterns=None, prefix: str = "") -> Iterator[str]:  # type: ignore[no-untyped-def]
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            yield from all_routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def normalise(route: str) -> str:
    """The table's key for a route: converters dropped, so `<int:pk>` and `<id:pk>` agree."""
    return PARAM.sub(lambda m: f"<{m.group(2)}>", route)


def route_keys() -> list[str]:
    """Every route of the URL configuration outside the prefix families, as table keys."""
    return sorted({normalise(r) for r in all_routes() if not r.startswith(tuple(PREFIX_ROWS))})


def id_params(route: str) -> list[str]:
    """The parameters of `route` that are numeric ids (int or the bounded id converter)."""
    return [name for conv, name in PARAM.findall(route) if conv in ("int", "id")]


def converters(route_key: str) -> dict[str, str]:
    """Parameter name -> converter name, read from the live URL configuration."""
    for raw in all_routes():
        if normalise(raw) == route_key:
            return {name: conv or "str" for conv, name in PARAM.findall(raw)}
    return {}


def fill(route_key: str, entry: Row, ids: dict[str, object]) -> str:
    if entry.path:
        return "/" + entry.path.format(**ids)

    def value(match: re.Match[str]) -> str:
        name = match.group(2)
        source = entry.fill[name]
        return source[1:] if source.startswith("=") else str(ids[source])

    return "/" + PARAM.sub(value, route_key)


def cells() -> Iterator[tuple[str, int, Row]]:
    for key, entries in ROUTES.items():
        for index, entry in enumerate(entries):
            yield key, index, entry
    for prefix, entry in PREFIX_ROWS.items():
        yield prefix, 0, entry
