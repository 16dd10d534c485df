def test_attention_page_title_is_clean(pairs) -> None:  # type: ignore[no-untyped-def]
    from django.urls import reverse

    manager = pairs.world.client_for(pairs.world.manager)
    body = manager.get(reverse("safety:attention", args=[pairs.world.programme.pk])).content
    title = body.decode().split("<title>")[1].split("</title>")[0]
    assert "<" not in title and "Needs attention" in title


def test_the_attention_tab_shows_from_matching_on(world):
    """People wait for a partner from the first published run, before the launch."""
    from pytest_django.asserts import assertContains

    from upward.programmes.tests.helpers import put_in_state

    put_in_state(world.programme, "matching")
    page = world.client_for(world.manager).get(f"/programmes/{world.programme.pk}/")
    assertContains(page, f'href="/programmes/{world.programme.pk}/attention/"')
