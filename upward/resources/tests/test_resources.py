"""The resource library, uploads, activity ideas and the pairs' saved lists."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pytest_django.asserts import assertNotContains

from upward.core.errors import DomainError
from upward.resources import services
from upward.resources.models import ActivityIdea, Resource, SavedItem
from upward.testing.factories import TopicFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return tmp_path


def seed_ideas() -> None:
    migration = importlib.import_module("upward.resources.migrations.0002_seed_activity_ideas")
    migration.seed(apps, None)


def link(org, by=None, **fields):  # type: ignore[no-untyped-def]
    data: dict[str, Any] = {
        "title": "Ten prompts to try this week",
        "kind": "article",
        "url": "https://example.org/prompts",
    }
    data.update(fields)
    return services.create_resource(org, by=by, **data)


def test_the_seeded_activity_ideas_include_the_classics(db):
    seed_ideas()
    seed_ideas()  # safe twice
    slugs = set(ActivityIdea.objects.values_list("slug", flat=True))
    assert {"role-play", "job-shadowing", "vision-board", "book-club", "podcast", "walk"} <= slugs
    assert ActivityIdea.objects.filter(organisation=None).count() == len(slugs)


def test_a_manager_adds_a_link_with_topics_and_a_step(pairs):
    w = pairs.world
    topic = TopicFactory(organisation=w.org, name="Generative AI")
    client = w.client_for(w.manager)
    response = client.post(
        reverse("resources:new"),
        {
            "title": "Prompting basics",
            "kind": "video",
            "url": "https://example.org/v",
            "topics": [topic.pk],
            "journey_step": "3",
        },
    )
    assert response.status_code == 302
    resource = Resource.objects.get()
    assert (resource.organisation, resource.journey_step, list(resource.topics.all())) == (
        w.org,
        3,
        [topic],
    )


def test_an_org_admin_uploads_a_pdf_and_colleagues_download_it(pairs, media):
    w = pairs.world
    upload = SimpleUploadedFile("guide.pdf", PDF, content_type="application/pdf")
    response = w.client_for(w.admin).post(
        reverse("resources:new"), {"title": "Guide", "kind": "book", "file": upload}
    )
    assert response.status_code == 302
    resource = Resource.objects.get()
    assert resource.file.name is not None
    assert resource.file.name.startswith("resources/") and (media / resource.file.name).exists()
    download = w.client_for(pairs.mentee).get(reverse("resources:download", args=[resource.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert (
        w.client_for(w.outsider_admin)
        .get(reverse("resources:download", args=[resource.pk]))
        .status_code
        == 404
    )
    assert (
        w.client_for(None).get(reverse("resources:download", args=[resource.pk])).status_code == 302
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("tool.exe", b"MZ\x90\x00", "Upload a PDF"),
        ("guide.pdf", b"<html>not a pdf</html>", "do not match"),
        ("photo.png", PDF, "do not match"),
        ("notes.txt", b"\x00\xff\xfe\x00" * 50, "does not look like a text file"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_uploads_are_checked_by_type_and_content(pairs, name, content, message):
    w = pairs.world
    response = w.client_for(w.manager).post(
        reverse("resources:new"),
        {"title": "Bad", "kind": "article", "file": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Resource.objects.exists()


def test_uploads_over_10_mb_are_refused(pairs):
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024))
    with pytest.raises(DomainError, match="10 MB"):
        services.create_resource(pairs.world.org, title="Big", kind="book", file=big, by=None)
    assert not Resource.objects.exists()


def test_a_link_or_a_file_but_not_both_nor_neither(pairs):
    org = pairs.world.org
    with pytest.raises(DomainError, match="link or upload"):
        services.create_resource(org, title="Nothing", kind="article", by=None)
    with pytest.raises(DomainError, match="not both"):
        services.create_resource(
            org,
            title="Both",
            kind="article",
            url="https://example.org",
            file=SimpleUploadedFile("a.pdf", PDF),
            by=None,
        )
    response = pairs.world.client_for(pairs.world.manager).post(
        reverse("resources:new"), {"title": "Bad link", "kind": "article", "url": "not a url"}
    )
    assert response.status_code == 200 and not Resource.objects.exists()


def test_replacing_a_file_with_a_link_deletes_the_old_file(
    pairs, media, django_capture_on_commit_callbacks
):
    org = pairs.world.org
    resource = services.create_resource(
        org, title="Guide", kind="book", file=SimpleUploadedFile("g.pdf", PDF), by=None
    )
    path = media / resource.file.name
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.update_resource(
            resource, title="Guide", kind="book", url="https://example.org/g", by=None
        )
    resource.refresh_from_db()
    assert resource.url and not resource.file and not path.exists()


def test_topics_from_another_organisation_are_refused(pairs):
    foreign = TopicFactory(organisation=pairs.world.outsider_admin.organisation, name="Elsewhere")
    with pytest.raises(DomainError, match="Choose topics from your organisation"):
        link(pairs.world.org, topics=[foreign])


def test_only_curators_add_edit_or_remove(pairs):
    w = pairs.world
    resource = link(w.org, by=w.manager.user)
    for person in (pairs.mentor, pairs.mentee):
        client = w.client_for(person)
        assert client.get(reverse("resources:new")).status_code == 404
        assert client.get(reverse("resources:edit", args=[resource.pk])).status_code == 404
        assert client.post(reverse("resources:delete", args=[resource.pk])).status_code == 404
    outsider = w.client_for(w.outsider_admin)
    assert outsider.get(reverse("resources:edit", args=[resource.pk])).status_code == 404
    assert outsider.post(reverse("resources:delete", args=[resource.pk])).status_code == 404
    assert Resource.objects.filter(pk=resource.pk).exists()
    manager = w.client_for(w.manager)
    confirm = manager.get(reverse("resources:delete", args=[resource.pk])).content.decode()
    assert "It disappears from the library" in confirm
    assert Resource.objects.filter(pk=resource.pk).exists()
    assert manager.post(reverse("resources:delete", args=[resource.pk])).status_code == 302
    assert not Resource.objects.exists()


def test_the_library_is_per_organisation_and_filterable(pairs, django_assert_max_num_queries):
    w = pairs.world
    for i in range(25):
        link(w.org, title=f"Article {i:02d}", journey_step=(i % 6) + 1)
    link(w.org, title="A podcast about feedback", kind="podcast")
    link(w.outsider_admin.organisation, title="Their secret resource")
    client = w.client_for(pairs.mentee)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("resources:library"))
        page = response.content.decode()
    assert "Article 00" in page
    assertNotContains(response, "Their secret resource")
    assert "Page 1 of 2" in page
    filtered_response = client.get(reverse("resources:library"), {"kind": "podcast"})
    filtered = filtered_response.content.decode()
    assert "A podcast about feedback" in filtered
    assertNotContains(filtered_response, "Article 00")
    # Nonsense filters do not break the page.
    assert (
        client.get(
            reverse("resources:library"), {"kind": "x", "step": "nine", "page": "zz"}
        ).status_code
        == 200
    )
    assertNotContains(
        w.client_for(w.manager).get(reverse("resources:library")), "Their secret resource"
    )
    assert w.client_for(None).get(reverse("resources:library")).status_code == 302


def test_a_pair_saves_resources_and_activities_and_marks_them_done(pairs):
    w = pairs.world
    seed_ideas()
    resource = link(w.org)
    walk = ActivityIdea.objects.get(slug="walk")
    client = w.client_for(pairs.mentee)
    url = reverse("resources:save", args=[pairs.pairing.pk])
    assert client.post(url, {"resource": resource.pk}).status_code == 302
    assert client.post(url, {"activity": walk.pk}).status_code == 302
    assert SavedItem.objects.filter(pairing=pairs.pairing).count() == 2
    # Saving twice is a friendly message, not an error page.
    response = client.post(url, {"resource": resource.pk}, follow=True)
    assert "already saved" in response.content.decode()
    # The partner sees the list and marks the walk done.
    item = SavedItem.objects.get(activity=walk)
    partner = w.client_for(pairs.mentor)
    page = partner.get(reverse("resources:saved", args=[pairs.pairing.pk])).content.decode()
    assert "Hold a session on a walk" in page and resource.title in page
    partner.post(reverse("resources:done", args=[pairs.pairing.pk, item.pk]), {"done": "1"})
    item.refresh_from_db()
    assert item.done_at is not None
    partner.post(reverse("resources:remove", args=[pairs.pairing.pk, item.pk]))
    assert not SavedItem.objects.filter(pk=item.pk).exists()


def test_saving_another_organisations_resource_or_into_another_pair_is_404(pairs):
    w = pairs.world
    theirs = link(w.outsider_admin.organisation, title="Elsewhere")
    mine = link(w.org)
    client = w.client_for(pairs.mentee)
    assert (
        client.post(
            reverse("resources:save", args=[pairs.pairing.pk]), {"resource": theirs.pk}
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("resources:save", args=[pairs.pairing.pk]), {"resource": "abc"}
        ).status_code
        == 404
    )
    assert client.post(reverse("resources:save", args=[pairs.pairing.pk]), {}).status_code == 404
    assert (
        client.post(
            reverse("resources:save", args=[pairs.other.pk]), {"resource": mine.pk}
        ).status_code
        == 404
    )
    item = services.save_item(pairs.other, resource=mine, person=pairs.other_mentee)
    for person in (pairs.mentee, w.manager, w.admin, w.outsider_admin):
        c = w.client_for(person)
        assert c.get(reverse("resources:saved", args=[pairs.other.pk])).status_code == 404
        assert (
            c.post(
                reverse("resources:done", args=[pairs.other.pk, item.pk]), {"done": "1"}
            ).status_code
            == 404
        )
    assert not SavedItem.objects.filter(pairing=pairs.pairing).exists()


def test_saved_page_query_count_is_flat(pairs, django_assert_max_num_queries):
    w = pairs.world
    seed_ideas()
    for i in range(15):
        services.save_item(pairs.pairing, resource=link(w.org, title=f"R{i}"), person=pairs.mentor)
    client = w.client_for(pairs.mentor)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("resources:saved", args=[pairs.pairing.pk])).status_code == 200


def test_resources_panel_tag(pairs):
    from django.template import Context, Template

    services.save_item(
        pairs.pairing, resource=link(pairs.world.org, title="Try this"), person=pairs.mentor
    )
    tpl = Template("{% load resources_tags %}{% pairing_resources_panel pairing person %}")
    assert "Try this" in tpl.render(Context({"pairing": pairs.pairing, "person": pairs.mentor}))
    assert (
        tpl.render(Context({"pairing": pairs.pairing, "person": pairs.world.manager})).strip() == ""
    )


# ---------------------------------------------------------------------------------------------
# Who may change a resource: its author and org admins


def _edit_post(resource, **changes):  # type: ignore[no-untyped-def]
    data = {"title": resource.title, "kind": resource.kind, "url": resource.url, "summary": ""}
    data.update(changes)
    return data


def test_other_managers_use_a_resource_but_cannot_change_or_remove_it(pairs):
    w = pairs.world
    mine = link(w.org, by=w.manager.user, title="Mo's reading list")
    theirs = link(w.org, by=w.other_manager.user, title="Olu's podcast picks")
    client = w.client_for(w.other_manager)
    for url in (
        reverse("resources:edit", args=[mine.pk]),
        reverse("resources:delete", args=[mine.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(reverse("resources:edit", args=[mine.pk]), _edit_post(mine, title="Mine now"))
    ).status_code == 404
    assert client.post(reverse("resources:delete", args=[mine.pk])).status_code == 404
    mine.refresh_from_db()
    assert mine.title == "Mo's reading list"
    # They still see and download it, and change their own.
    library = client.get(reverse("resources:library"))
    assert library.status_code == 200
    html = library.content.decode()
    assert "Mo&#x27;s reading list" in html
    assert reverse("resources:edit", args=[theirs.pk]) in html
    assertNotContains(library, reverse("resources:edit", args=[mine.pk]))
    assertNotContains(library, reverse("resources:delete", args=[mine.pk]))
    assert "Added by someone else" in html
    response = client.post(
        reverse("resources:edit", args=[theirs.pk]), _edit_post(theirs, title="Olu's picks")
    )
    assert response.status_code == 302
    theirs.refresh_from_db()
    assert theirs.title == "Olu's picks"


def test_org_admins_change_and_remove_any_resource(pairs):
    w = pairs.world
    resource = link(w.org, by=w.manager.user)
    orphan = link(w.org, title="Left by someone who has gone")  # no author
    client = w.client_for(w.admin)
    library = client.get(reverse("resources:library"))
    assert library.status_code == 200
    html = library.content.decode()
    assert reverse("resources:edit", args=[resource.pk]) in html
    assert reverse("resources:edit", args=[orphan.pk]) in html
    response = client.post(
        reverse("resources:edit", args=[resource.pk]), _edit_post(resource, title="Tidied")
    )
    assert response.status_code == 302
    assert client.post(reverse("resources:delete", args=[orphan.pk])).status_code == 302
    assert set(Resource.objects.values_list("title", flat=True)) == {"Tidied"}
    # The author's own manager status is not enough for an orphan: only admins touch it.
    orphan = link(w.org, title="Another orphan")
    manager = w.client_for(w.manager)
    assert manager.get(reverse("resources:edit", args=[orphan.pk])).status_code == 404


def test_an_author_who_no_longer_curates_cannot_edit(pairs):
    w = pairs.world
    resource = link(w.org, by=pairs.mentor.user)  # e.g. added while they managed a programme
    client = w.client_for(pairs.mentor)
    assert client.get(reverse("resources:edit", args=[resource.pk])).status_code == 404


def test_the_services_refuse_anyone_but_the_author_or_an_admin(pairs):
    w = pairs.world
    resource = link(w.org, by=w.manager.user)
    message = "Only the person who added this resource, or an organisation admin"
    with pytest.raises(DomainError, match=message):
        services.update_resource(
            resource, title="Hijacked", kind="article", url="https://evil.test/", by=w.other_manager.user
        )
    with pytest.raises(DomainError, match=message):
        services.delete_resource(resource, by=w.other_manager.user)
    with pytest.raises(DomainError, match=message):
        services.delete_resource(resource, by=w.outsider_admin.user)
    resource.refresh_from_db()
    assert resource.url == "https://example.org/prompts"
    services.delete_resource(resource, by=w.admin.user)
    assert not Resource.objects.exists()


@pytest.mark.parametrize("field", ["resource", "activity"])
@pytest.mark.parametrize("value", [str(2**70), f"-{2**70}", "9" * 5000])
def test_saving_a_huge_id_is_404_not_500(pairs, field, value):
    client = pairs.world.client_for(pairs.mentee)
    response = client.post(reverse("resources:save", args=[pairs.pairing.pk]), {field: value})
    assert response.status_code == 404
    assert not SavedItem.objects.exists()
