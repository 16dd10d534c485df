"""The Content-Security-Policy holds in a real browser, and the suite notices when it is broken."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_injected_inline_script_does_not_run_and_is_reported(visitor_factory, world):
    # Suppose a payload slipped past escaping: the policy still refuses to run it.
    visitor = visitor_factory("csp")
    visitor.sign_in(world.applicant.email)
    response = visitor.page.goto(visitor.base_url + "/dashboard/")
    assert response is not None and response.status == 200
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    visitor.page.evaluate(
        """() => {
          const s = document.createElement("script");
          s.textContent = "window.__xss = 1";
          document.body.appendChild(s);
          const d = document.createElement("div");
          d.innerHTML = '<img src="x" onerror="window.__xss = 2">';
          document.body.appendChild(d);
        }"""
    )
    visitor.page.wait_for_timeout(300)
    assert visitor.page.evaluate("() => window.__xss") is None
    assert any("script-src" in v for v in visitor.csp_violations), visitor.csp_violations
    # These violations were the point of this test; any other would still fail it.
    visitor.csp_violations.clear()


def test_api_docs_render_from_local_files_under_the_policy(visitor_factory, world):
    visitor = visitor_factory("api-docs")
    visitor.go("/api/docs/")
    assert "/accounts/login/" in visitor.page.url  # sign-in first
    visitor.sign_in(world.admin.email)
    requests: list[str] = []
    visitor.page.on("request", lambda r: requests.append(r.url))
    visitor.go("/api/docs/")
    visitor.page.get_by_text("Upward API").first.wait_for()
    assert requests and all(url.startswith(visitor.base_url) for url in requests), requests
