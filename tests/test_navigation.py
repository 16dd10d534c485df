"""One tab bar per area, grouped so it never wraps or hides, and one breadcrumb separator."""

from __future__ import annotations

import re
from pathlib import Path

from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from upward.testing.pairs import build_pairs

ROOT = Path(__file__).resolve().parent.parent
BREADCRUMBS = re.compile(r'<div class="breadcrumbs">(.*?)</div>')
TAG = re.compile(r"\{%.*?%\}|\{\{.*?\}\}")


def breadcrumb_separators(text: str) -> set[str]:
    """The characters between one crumb's end and the next crumb, template tags left out."""
    found: set[str] = set()
    for crumbs in BREADCRUMBS.findall(text):
        plain = TAG.sub("X", crumbs)
        found |= {sep.strip() for sep in re.findall(r"</a>([^<]*?)(?:<a|X)", plain) if sep.strip()}
        found |= {sep.strip() for sep in re.findall(r"X\s*([/»·|])\s*(?:<a|X)", plain)}
    return found


def test_the_separator_scan_sees_every_variant() -> None:
    assert breadcrumb_separators('<div class="breadcrumbs"><a>A</a> / <a>B</a></div>') == {"/"}
    assert breadcrumb_separators('<div class="breadcrumbs"><a>A</a> » {{ b }}</div>') == {"»"}
    assert breadcrumb_separators('<div class="breadcrumbs"><a>A</a> › <a>B</a></div>') == {"›"}


def test_breadcrumbs_use_one_separator_everywhere() -> None:
    templates = [*ROOT.glob("templates/**/*.html"), *ROOT.glob("upward/*/templates/**/*.html")]
    used = {
        str(path.relative_to(ROOT)): seps
        for path in templates
        if (seps := breadcrumb_separators(path.read_text(encoding="utf-8"))) - {"›"}
    }
    assert not used, f"Use › between crumbs: {used}"


def _nav(html: str, label: str) -> str:
    match = re.search(rf'<nav class="subnav[^"]*" aria-label="{label}">(.*?)</nav>', html, re.S)
    assert match, f"no {label} navigation"
    return match.group(1)


def test_the_programme_bar_keeps_weekly_pages_in_view_and_the_rest_under_more(world) -> None:  # type: ignore[no-untyped-def]
    client = world.client_for(world.manager)
    overview = client.get(reverse("programmes:detail", args=[world.programme.pk]))
    assert overview.status_code == 200
    nav = _nav(overview.content.decode(), "Programme")
    in_view, more = nav.split('<details class="subnav__more', 1)
    assert 'aria-current="page">Overview</a>' in in_view
    assert ">Design</a>" in more and ">Design</a>" not in in_view
    assert "<summary>More</summary>" in more

    design = client.get(reverse("programmes:edit", args=[world.programme.pk]))
    nav = _nav(design.content.decode(), "Programme")
    # The page's own tab is named on the closed menu, so nobody loses where they are.
    assert "subnav__more--current" in nav and "<summary>More: Design</summary>" in nav
    assert 'aria-current="page">Design</a>' in nav


def test_matching_pages_keep_the_programme_bar(world) -> None:  # type: ignore[no-untyped-def]
    from upward.programmes.models import Programme

    Programme.objects.filter(pk=world.programme.pk).update(state="matching")
    page = world.client_for(world.manager).get(reverse("pairing:runs", args=[world.programme.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'aria-current="page">Matching</a>' in _nav(html, "Programme")
    assert 'aria-current="page">Runs</a>' in _nav(html, "Matching")


def test_the_pair_workspace_bar_names_the_page_behind_more(world) -> None:  # type: ignore[no-untyped-def]
    pairs = build_pairs(world)
    client = world.client_for(pairs.mentor)
    overview = client.get(reverse("journey:pairing", args=[pairs.pairing.pk]))
    assertContains(overview, "<summary>More</summary>", status_code=200)
    skills = client.get(reverse("goals:skills", args=[pairs.pairing.pk]))
    assertContains(skills, "<summary>More: Skills</summary>", status_code=200)
    assertNotContains(skills, "<summary>More</summary>", status_code=200)
    # The mentor's own record is in her menu; her mentee's menu has no such page.
    assertContains(overview, "Contribution record")
    mentee = world.client_for(pairs.mentee).get(reverse("journey:pairing", args=[pairs.pairing.pk]))
    assertNotContains(mentee, "Contribution record", status_code=200)


def test_every_manager_page_of_a_programme_shows_the_programme_bar(world) -> None:  # type: ignore[no-untyped-def]
    from upward.programmes.models import Programme

    Programme.objects.filter(pk=world.programme.pk).update(state="active")
    client = world.client_for(world.manager)
    pk = world.programme.pk
    for name in (
        "surveys:list",
        "surveys:outcomes",
        "goals:framework",
        "goals:overview",
        "impact:programme_impact",
        "impact:mentor_time",
        "journey:programme_setup",
        "safety:attention",
    ):
        page = client.get(reverse(name, args=[pk]))
        assert page.status_code == 200, name
        _nav(page.content.decode(), "Programme")
