"""Accessibility as people meet it (docs/accessibility.md), in a real browser.

- Reflow (WCAG 1.4.10): every page type the four demo personas reach by following links from
  their dashboard, at 320 px wide, scrolls only up and down. Offenders are listed together.
- A distinct <title> per page type: two different page types with the same title are listed.
- Focus you can see: tabbing through key pages, every focused control draws an outline whose
  colour has at least 3:1 contrast with the background behind it.
- htmx keeps people where they are: after ticking an agenda item, marking a notification read
  and searching people, focus is on a control (never <body>) and the live region says what
  happened.
- Forms that explain themselves: a form submitted empty shows the error summary with links,
  takes focus to it, and prefixes the title with "Error:".
- axe-core at 1280 and 320 px on key pages (serious and critical violations fail).

Screenshots go to artifacts/screenshots/a11y-*.png.
"""

from __future__ import annotations

import re
from collections import defaultdict
from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, resolve
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS, Visitor
from tests.browser.test_readme_tour import ADMIN, MANAGER, MENTEE, MENTOR, TOUR, seed_like_make_run

PERSONAS = (ADMIN, MANAGER, MENTOR, MENTEE)
NARROW = {"width": 320, "height": 800}
WIDE = {"width": 1280, "height": 900}
# Addresses a crawl must not follow: files, signing out, the admin site, actions reached by GET
# that are not pages.
# Files, sign-out, and machine addresses (the API's JSON and schema, SCIM, SAML metadata),
# which a browser downloads rather than shows.
SKIP = re.compile(
    r"(\.ics|\.pdf|\.csv|\.xlsx|/export|/download|/logout|/admin/|/workbook/pdf"
    r"|^/api/(?!docs/)|^/scim/|/saml/.*/metadata/)",
    re.I,
)
MAX_PAGES_PER_PERSONA = 90

# Contrast of two colours per WCAG 2.x, computed in the page from getComputedStyle, with the
# background taken from the nearest ancestor that paints one.
CONTRAST_JS = """
(el) => {
  function rgb(text) {
    const m = text.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  }
  function lum(c) {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  }
  function background(node) {
    // The outline is drawn outside the element (outline-offset), so the background that
    // matters is its parent's.
    for (let n = node.parentElement; n; n = n.parentElement) {
      const c = rgb(getComputedStyle(n).backgroundColor);
      if (c && c.a > 0.5) return c;
      const image = getComputedStyle(n).backgroundImage;
      if (image && image.includes("gradient")) {
        const first = rgb(image);
        if (first) return first;
      }
    }
    return {r: 255, g: 255, b: 255, a: 1};
  }
  const s = getComputedStyle(el);
  const width = parseFloat(s.outlineWidth) || 0;
  const colour = rgb(s.outlineColor);
  const bg = background(el);
  const l1 = lum(colour || bg), l2 = lum(bg);
  const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
  return {style: s.outlineStyle, width: width, ratio: Math.round(ratio * 100) / 100,
          tag: el.tagName.toLowerCase(), text: (el.innerText || el.value || el.name || el.id || "").slice(0, 40)};
}
"""


def shot(visitor: Visitor, name: str, *, full_page: bool = True) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # caret="initial": hiding the caret leaves style="" on inputs, which htmx copies on its next
    # swap and the CSP then reports.
    visitor.page.screenshot(
        path=str(SCREENSHOTS / f"a11y-{name}.png"), full_page=full_page, caret="initial"
    )


def page_type(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.route or match.url_name


def crawl(visitor: Visitor, start: str) -> dict[str, tuple[str, str, int, int]]:
    """Follow same-site links from `start`, one page per page type. Returns, per page type,
    (path, title, scrollWidth, innerWidth)."""
    seen: dict[str, tuple[str, str, int, int]] = {}
    queue = [start]
    queued = {start}
    while queue and len(seen) < MAX_PAGES_PER_PERSONA:
        path = queue.pop(0)
        kind = page_type(urlsplit(path).path)
        if kind is None or kind in seen:
            continue
        response = visitor.page.goto(visitor.base_url + path)
        if response is None or response.status != 200:
            continue
        if "text/html" not in (response.headers.get("content-type") or ""):
            continue
        landed = urlsplit(visitor.page.url).path
        if page_type(landed) != kind:
            continue  # a redirect: the page it lands on is crawled on its own
        widths = visitor.page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        seen[kind] = (path, visitor.page.title(), widths[0], widths[1])
        if widths[0] > widths[1]:
            shot(visitor, "reflow-offender-" + re.sub(r"[^a-z0-9]+", "-", kind.lower())[:60])
        hrefs = visitor.page.eval_on_selector_all(
            "a[href]:not([download])", "els => els.map(e => e.getAttribute('href'))"
        )
        for href in hrefs:
            if not href.startswith("/") or href.startswith("//") or SKIP.search(href):
                continue
            target = href.split("#")[0]
            if target and target not in queued:
                queued.add(target)
                queue.append(target)
    return seen


def narrow_visitor(visitor_factory, name: str, email: str) -> Visitor:  # type: ignore[no-untyped-def]
    visitor = visitor_factory(name)
    visitor.page.set_viewport_size(NARROW)
    visitor.sign_in(email, password=TOUR.password)
    assert "/accounts/login/" not in visitor.page.url, email
    return visitor


@pytest.mark.django_db(transaction=True)
def test_every_page_reflows_at_320px_and_has_its_own_title(visitor_factory) -> None:
    seed_like_make_run()
    pages: dict[str, tuple[str, str, int, int]] = {}
    for email in PERSONAS:
        visitor = narrow_visitor(visitor_factory, email.split("@")[0], email)
        for kind, found in crawl(visitor, "/dashboard/").items():
            pages.setdefault(kind, found)
        visitor.page.context.close()
    assert len(pages) > 40, f"the crawl reached only {len(pages)} page types"
    wide = sorted(f"{p[0]}: {p[2]}px wide" for p in pages.values() if p[2] > p[3])
    titles: dict[str, list[str]] = defaultdict(list)
    for found in pages.values():
        titles[found[1]].append(found[0])
    same = sorted(
        f"{title!r}: {', '.join(paths)}" for title, paths in titles.items() if len(paths) > 1
    )
    problems = []
    if wide:
        problems.append("Pages that scroll sideways at 320 px:\n  " + "\n  ".join(wide))
    if same:
        problems.append("Different pages with the same title:\n  " + "\n  ".join(same))
    assert not problems, f"{len(pages)} page types checked.\n" + "\n".join(problems)


# --- Focus you can see --------------------------------------------------------------------------


def tab_through(visitor: Visitor, presses: int) -> list[str]:
    """Press Tab `presses` times; return a line per focused control whose focus indicator is
    missing or too faint (outline under 2px, or under 3:1 against what is behind it)."""
    faint = []
    for _ in range(presses):
        visitor.page.keyboard.press("Tab")
        handle = visitor.page.evaluate_handle("document.activeElement")
        if visitor.page.evaluate("(el) => el === document.body", handle):
            continue
        found = visitor.page.evaluate(CONTRAST_JS, handle)
        if found["style"] == "none" or found["width"] < 2 or found["ratio"] < 3:
            faint.append(f"{visitor.page.url} <{found['tag']}> {found['text']!r}: {found}")
    return faint


def demo_meeting_for(email: str):  # type: ignore[no-untyped-def]
    from upward.journey.models import Meeting

    return (
        Meeting.objects.filter(pairing__mentor__email=email, status="scheduled")
        .exclude(agenda=None)
        .order_by("starts_at")
        .first()
    )


@pytest.mark.django_db(transaction=True)
def test_focus_is_visible_everywhere_and_htmx_keeps_it(visitor_factory) -> None:
    seed_like_make_run()
    mentor = visitor_factory("mentor")
    mentor.sign_in(MENTOR, password=TOUR.password)
    faint: list[str] = []

    # The dashboard, with the dark-teal top bar: the ring is yellow there, dark on the page.
    mentor.go("/dashboard/")
    faint += tab_through(mentor, 25)
    mentor.go("/dashboard/")
    mentor.page.keyboard.press("Tab")  # the skip link
    mentor.page.keyboard.press("Tab")  # the brand, in the top bar
    shot(mentor, "focus-topbar", full_page=False)

    # The meeting page: tick an agenda item with the keyboard; focus stays on its button.
    meeting = demo_meeting_for(MENTOR)
    assert meeting is not None, "the demo has no upcoming meeting with an agenda for the mentor"
    mentor.go(f"/meetings/{meeting.pk}/")
    faint += tab_through(mentor, 30)
    tick = mentor.page.locator(".agenda__tick").first
    tick_id = tick.get_attribute("id")
    tick.focus()
    shot(mentor, "focus-agenda-tick", full_page=False)
    mentor.page.keyboard.press("Enter")
    expect(mentor.page.locator(f"#{tick_id}")).to_have_attribute("aria-pressed", "true")
    expect(mentor.page.locator("#announcer")).to_have_text(re.compile(r"^Ticked: "))
    assert mentor.page.evaluate("document.activeElement.id") == tick_id
    # Adding an item: focus is back in the text box, the live region says what was added.
    mentor.page.locator("#id_text").fill("Talk about the data team's new rota")
    mentor.page.keyboard.press("Enter")
    expect(mentor.page.locator("#announcer")).to_have_text(
        "Added to the agenda: Talk about the data team's new rota"
    )
    assert mentor.page.evaluate("document.activeElement.id") == "id_text"
    # (No axe run here: axe leaves style="" on elements, which htmx copies on its next swap and
    # the CSP then reports. test_axe_finds_nothing_serious_on_key_pages checks this page.)

    # Notifications: "Mark as read" goes away, focus moves to the row's Open button and the
    # count in the header goes down, without a reload.
    mentor.go("/notifications/")
    badge = mentor.page.locator("#unread-badge")
    before = int(re.sub(r"\D", "", badge.inner_text()) or 0)
    assert before > 0, "the demo mentor has no unread notification"
    mark = mentor.page.get_by_role("button", name=re.compile("^Mark as read")).first
    mark.focus()
    mentor.page.keyboard.press("Enter")
    expect(mentor.page.locator("#announcer")).to_have_text("Marked as read")
    expect(badge).to_have_text(re.compile(str(before - 1) if before > 1 else r"^\s*$"))
    assert mentor.page.evaluate("document.activeElement !== document.body")
    assert mentor.page.evaluate("document.activeElement.id").startswith("notification-")
    shot(mentor, "focus-after-mark-read", full_page=False)

    # People search (the admin): typing keeps focus in the box; the count is announced.
    admin = visitor_factory("admin")
    admin.sign_in(ADMIN, password=TOUR.password)
    admin.go("/people/")
    faint += tab_through(admin, 30)
    search = admin.page.locator("#id_q")
    search.focus()
    search.press_sequentially("aisha", delay=30)
    expect(admin.page.locator("#announcer")).to_have_text(re.compile(r"^\d+ (person|people)$"))
    assert admin.page.evaluate("document.activeElement.id") == "id_q"
    shot(admin, "people-search-announced", full_page=False)

    # Forced colours (Windows High Contrast): box-shadows vanish, the outline stays.
    admin.page.emulate_media(forced_colors="active")
    admin.go("/people/")
    admin.page.keyboard.press("Tab")
    admin.page.keyboard.press("Tab")
    ring = admin.page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth)]; })()"
    )
    assert ring[0] != "none" and ring[1] >= 2, ring
    shot(admin, "focus-forced-colours", full_page=False)

    assert not faint, "Focus indicators missing or under 3:1:\n" + "\n".join(faint)


# --- Forms that explain themselves ----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_an_empty_submit_shows_the_summary_and_moves_focus_to_it(visitor_factory) -> None:
    seed_like_make_run()
    admin = visitor_factory("admin")
    admin.sign_in(ADMIN, password=TOUR.password)
    admin.go("/people/new/")
    admin.page.get_by_role("button", name=re.compile("^(Add|Save)")).click()
    admin.page.wait_for_load_state()
    summary = admin.page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_visible()
    assert admin.page.title().startswith("Error: ")
    assert admin.page.evaluate("document.activeElement.classList.contains('error-summary')")
    links = summary.get_by_role("link")
    assert links.count() >= 1
    # Every link leads to a control that names its error.
    for i in range(links.count()):
        target = links.nth(i).get_attribute("href")[1:]
        control = admin.page.locator(f"#{target}")
        described = (control.get_attribute("aria-describedby") or "").split()
        assert control.get_attribute("aria-invalid") == "true", target
        assert f"{target}_error" in described or any(d.endswith("_error") for d in described)
    shot(admin, "error-summary", full_page=False)
    admin.look("error-summary")
    # Following a link puts the cursor in the field.
    first = links.first.get_attribute("href")[1:]
    links.first.click()
    assert admin.page.evaluate("document.activeElement.id") == first

    # A radio group: the mentee's survey, sent empty.
    mentee = visitor_factory("mentee")
    mentee.sign_in(MENTEE, password=TOUR.password)
    due = mentee.page.locator(
        "section", has=mentee.page.get_by_role("heading", name="Surveys to answer")
    )
    due.get_by_role("link").first.click()
    mentee.page.wait_for_load_state()
    mentee.page.locator("form button[type=submit]").last.click()
    mentee.page.wait_for_load_state()
    assert mentee.page.title().startswith("Error: ")
    group = mentee.page.locator("fieldset[aria-invalid=true]").first
    expect(group).to_be_visible()
    for ref in (group.get_attribute("aria-describedby") or "").split():
        assert mentee.page.locator(f"#{ref}").count() == 1, ref
    assert any(
        r.endswith("_error") for r in (group.get_attribute("aria-describedby") or "").split()
    )
    assert mentee.page.evaluate("document.activeElement.classList.contains('error-summary')")
    shot(mentee, "error-summary-radio-group")
    mentee.look("survey-errors")


# --- axe-core at two widths ---------------------------------------------------------------


KEY_PAGES = {
    MENTOR: ["/dashboard/", "/notifications/"],
    ADMIN: ["/people/", "/people/new/", "/programmes/"],
    MANAGER: ["/today/", "/programmes/"],
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", [WIDE, NARROW], ids=["1280", "320"])
def test_axe_finds_nothing_serious_on_key_pages(visitor_factory, viewport) -> None:
    seed_like_make_run()
    for email, paths in KEY_PAGES.items():
        visitor = visitor_factory(f"{email.split('@')[0]}-{viewport['width']}")
        visitor.page.set_viewport_size(viewport)
        visitor.sign_in(email, password=TOUR.password)
        meeting = demo_meeting_for(MENTOR) if email == MENTOR else None
        for path in paths + ([f"/meetings/{meeting.pk}/"] if meeting else []):
            visitor.go(path)
            visitor.look(re.sub(r"[^a-z0-9]+", "-", path).strip("-") or "home")
            if viewport is NARROW:
                shot(
                    visitor,
                    f"320-{email.split('@')[0]}-" + re.sub(r"[^a-z0-9]+", "-", path).strip("-"),
                )
