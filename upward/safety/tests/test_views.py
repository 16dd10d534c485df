

def test_attention_page_title_is_clean(pairs) -> None:  # type: ignore[no-untyped-def]
    from django.urls import reverse

    manager = pairs.world.client_for(pairs.world.manager)
    body = manager.get(reverse("safety:attention", args=[pairs.world.programme.pk])).content
    title = body.decode().split("<title>")[1].split("</title>")[0]
    assert "<" not in title and "Needs attention" in title
