"""Browser tests: Playwright driving the system Chromium against Django's live server.

They save a screenshot of every page they visit in artifacts/screenshots/ and run axe-core on
it; any serious or critical accessibility violation fails the test. Every page runs under the
app's Content-Security-Policy, and any violation (an inline script or style, a blocked source)
fails the test at teardown.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make to set
# up data are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        skip = pytest.mark.skip(
            reason=f"Chromium not found at {CHROMIUM}: install it with "
            "`sudo apt-get install chromium` to run the browser tests."
        )
        for item in items:
            if "browser" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium"),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
            ],
        )
        yield browser
        browser.close()


# Chromium logs each CSP violation to the console ("Refused to ..." / "... violates the following
# Content Security Policy directive ..."); the init script below also reports every
# `securitypolicyviolation` event there, so none can slip by unlogged. Playwright injects init
# scripts through the DevTools protocol, which the page's CSP does not govern.
CSP_CONSOLE = re.compile(r"Content Security Policy|Refused to|CSP violation", re.I)
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline")
    + " at " + e.sourceFile + ":" + e.lineNumber);
});
"""


def watch_for_csp_violations(page, found: list[str]) -> None:  # type: ignore[no-untyped-def]
    page.add_init_script(CSP_LISTENER)

    def on_console(message) -> None:  # type: ignore[no-untyped-def]
        if CSP_CONSOLE.search(message.text):
            found.append(f"{page.url}: {message.text}")

    page.on("console", on_console)


class Visitor:
    """One person's browser tab. `look(name)` screenshots the page and checks accessibility."""

    def __init__(self, page, base_url: str, prefix: str) -> None:  # type: ignore[no-untyped-def]
        self.page = page
        self.base_url = base_url
        self.prefix = prefix
        self.count = 0
        self.csp_violations: list[str] = []

    def go(self, path: str) -> None:
        self.page.goto(self.base_url + path)

    def sign_in(self, email: str, password: str = "correct horse battery") -> None:
        self.go("/accounts/login/")
        fill_sign_in(self.page, email, password)

    def look(self, name: str) -> None:
        from axe_playwright_python.sync_playwright import Axe

        self.count += 1
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(
            path=str(SCREENSHOTS / f"{self.prefix}-{self.count:02d}-{name}.png"), full_page=True
        )
        results = Axe().run(self.page)
        bad = [
            v for v in results.response["violations"] if v.get("impact") in {"serious", "critical"}
        ]
        assert not bad, f"Accessibility violations on {self.page.url}:\n" + "\n".join(
            f"- {v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(n["target"][0] if n["target"] else "?" for n in v["nodes"][:5])
            for v in bad
        )


def fill_sign_in(page, email: str, password: str) -> None:  # type: ignore[no-untyped-def]
    """Sign in with a password on the sign-in page the browser is on: the email step (which
    sends addresses of a single-sign-on domain to their provider instead), then the password."""
    page.get_by_label("Email").fill(email)
    if not page.get_by_label("Password").count():
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state()
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
    page.wait_for_load_state()


@pytest.fixture
def visitor_factory(browser, live_server, request, settings):  # type: ignore[no-untyped-def]
    # Links the pages show to copy (the sign-up link) and those in emails point at this server,
    # as `make run` makes them point at its HOST and PORT.
    settings.SITE_URL = live_server.url
    contexts = []
    violations: list[str] = []

    def make(prefix: str) -> Visitor:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        watch_for_csp_violations(page, violations)
        visitor = Visitor(page, live_server.url, f"{request.node.name}-{prefix}")
        visitor.csp_violations = violations
        return visitor

    yield make
    for context in contexts:
        context.close()
    if violations:
        pytest.fail(
            "Content-Security-Policy violations (move the inline script or style to a static "
            "file):\n" + "\n".join(dict.fromkeys(violations)),
            pytrace=False,
        )
