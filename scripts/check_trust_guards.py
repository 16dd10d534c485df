"""Put each hole of issue 11 back, one at a time, run the tests that guard it, restore.

Run from the repository root with the project venv: `.venv/bin/python scripts/check_trust_guards.py
[WORDS...]` (only holes whose name contains a word). Prints one line per hole. It edits
files in place and restores them: run it on a clean checkout, never while other work is
unsaved.
"""
import os
import pathlib
import subprocess
import sys

PY = sys.executable
HOLES = [
    ("1 |safe on help texts", "templates/includes/field.html",
     "{{ field.help_text }}", "{{ field.help_text|safe }}",
     ["tests/test_xss_payloads.py", "tests/test_no_unsafe_output.py"]),
    ("1 CSP middleware off", "config/settings/base.py",
     '    "csp.middleware.CSPMiddleware",\n', "",
     ["tests/test_csp_policy.py"]),
    ("2a sign-up links any organisation's person", "upward/accounts/services.py",
     "condition |= Q(email__iexact=email, organisation__domains__domain=domain)",
     "condition |= Q(email__iexact=email)",
     ["upward/accounts/tests/test_account_binding.py"]),
    ("2b invitation not bound to its address (both layers)", "upward/organisations/services.py",
     "                _revoke_open_invitations(person, by=by)", "                pass",
     ["upward/accounts/tests/test_account_binding.py"],
     [("upward/accounts/services.py",
       "if invitation.email.lower() != person.email.lower() or not person.is_active:",
       "if not person.is_active:")]),
    ("3 org admins read safety data", "upward/safety/access.py",
     "Q(Exists(contact)) | Q(pk__in=led)",
     "Q(Exists(contact)) | Q(pk__in=led) | Q(organisation_id=person.organisation_id if person.is_org_admin else 0)",
     ["upward/safety/tests/test_roles.py"]),
    ("3 a lead who takes part reads safety data", "upward/safety/access.py",
     """        Programme.objects.filter(managers=person)
        .exclude(pk__in=programmes_taken_part_in(person).values("pk"))""",
     """        Programme.objects.filter(managers=person)""",
     ["upward/safety/tests/test_roles.py"]),
    ("8 pulse comment not shown", "upward/safety/templates/safety/_pulse.html",
     "<blockquote>{{ pulse.comment|linebreaksbr }}</blockquote>", "<blockquote></blockquote>",
     ["upward/safety/tests/test_roles.py"],
     [("upward/safety/templates/safety/attention.html",
       "<p>{{ p.comment|truncatechars:400|linebreaksbr }}</p>", "<p></p>")]),
    ("3 nobody-about-own-pairing filter off", "upward/safety/access.py",
     'return ~Q(**{f"{prefix}mentor": viewer}) & ~Q(**{f"{prefix}mentee": viewer})',
     "return Q()",
     ["upward/safety/tests/test_roles.py"]),
    ("3 managers may run a programme they take part in", "upward/programmes/access.py",
     'return qs.exclude(pk__in=programmes_taken_part_in(person).values("pk")).distinct()',
     "return qs.distinct()",
     ["upward/programmes/tests/test_separation.py", "upward/pairing/tests/test_own_pairing.py"]),
    ("4 stock admin site", "config/apps.py",
     'default_site = "config.admin.UpwardAdminSite"', 'default_site = "django.contrib.admin.sites.AdminSite"',
     ["upward/core/tests/test_admin_front_door.py"]),
    ("5 sign-in limit keyed on the account alone", "upward/core/ratelimit.py",
     'key = f"{account}@{address_key(client_address(request))}"', "key = account",
     ["upward/core/tests/test_rate_limits.py"]),
    ("5 client address from the leftmost X-Forwarded-For", "upward/core/ratelimit.py",
     "candidate = entries[-count] if len(entries) >= count else entries[0]", "candidate = entries[0]",
     ["upward/core/tests/test_rate_limits.py"]),
    ("5 the owner's known browser shares the count of its address", "upward/core/ratelimit.py",
     '            key += "@known-device"', "            pass",
     ["upward/core/tests/test_rate_limits.py"]),
    ("4 safeguarding contacts need no two-factor", "upward/safety/apps.py",
     "        register_privileged_role(", "        (lambda *a: None)(",
     ["upward/core/tests/test_two_factor.py"]),
    ("7 the picker names any posted id", "upward/recruitment/views.py",
     'if i in nameable]', ']',
     ["upward/recruitment/tests/test_colleague_picker.py"]),
    ("6 no-store off", "upward/core/middleware.py",
     "            add_never_cache_headers(response)", "            pass",
     ["upward/core/tests/test_no_store.py"]),
    ("6 unbounded ids", "upward/core/converters.py",
     'regex = "[0-9]{1,18}"', 'regex = "[0-9]+"',
     ["upward/core/tests/test_bounded_ids.py"]),
    ("6 formula cells not escaped", "upward/core/exports.py",
     "        return \"'\" + value\n", "        return value\n",
     ["upward/core/tests/test_exports.py", "upward/surveys/tests/test_export_formulas.py"]),
    ("7 colleague picker answers after recruitment", "upward/recruitment/views.py",
     "    if programme.state != State.RECRUITING:\n        raise Http404",
     "    if False:\n        raise Http404",
     ["upward/recruitment/tests/test_colleague_picker.py"]),
]


def run(tests):
    out = subprocess.run(  # noqa: S603 - our own interpreter and test paths
        [PY, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x", *tests],
        capture_output=True, text=True, env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
    )
    last = [line for line in out.stdout.splitlines() if line.strip()][-1:]
    return out.returncode, last[0] if last else "?"


only = sys.argv[1:]
for name, path, old, new, tests, *extra in HOLES:
    if only and not any(o in name for o in only):
        continue
    changes = [(path, old, new), *(extra[0] if extra else [])]
    saved = {}
    missing = False
    for cpath, cold, cnew in changes:
        p = pathlib.Path(cpath)
        text = saved.get(cpath, p.read_text())
        saved.setdefault(cpath, text)
        if cold not in p.read_text():
            print(f"SKIP {name}: pattern not found in {cpath}")
            missing = True
            break
        p.write_text(p.read_text().replace(cold, cnew, 1))
    try:
        rc, last = (0, "not run") if missing else run(tests)
    finally:
        for cpath, text in saved.items():
            pathlib.Path(cpath).write_text(text)
    if missing:
        continue
    verdict = "guard FAILS with the hole (good)" if rc != 0 else "guard still PASSES (BAD)"
    print(f"{name}: {verdict}: {last}")
