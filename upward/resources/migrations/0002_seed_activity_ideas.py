"""Activity ideas every organisation starts with, for pairs to try between sessions."""

from django.db import migrations

IDEAS = [
    (
        "role-play",
        "Rehearse a hard conversation",
        "Pick a conversation one of you finds difficult, such as giving upward feedback or "
        "answering a question about race at a town hall. Play it twice, swapping roles, then "
        "talk about what felt different from the other side of the table.",
        5,
    ),
    (
        "job-shadowing",
        "Spend half a day in each other's shoes",
        "The senior partner joins the junior partner's stand-up, support queue or site visit; "
        "later the junior partner sits in on a leadership meeting (with permission). Afterwards, "
        "each names one thing that surprised them.",
        4,
    ),
    (
        "vision-board",
        "Make a vision board for the next year",
        "Each of you gathers pictures, words and screenshots that show where you want to be in "
        "a year. Share the boards at the next session and link each image to one of your goals.",
        2,
    ),
    (
        "book-club",
        "Read the same book or article",
        "Choose something short that one of you would not normally pick up. Read it separately, "
        "note two ideas you agree with and one you doubt, and compare notes next time.",
        3,
    ),
    (
        "podcast",
        "Listen to a podcast episode together",
        "Each suggests an episode from a show the other has never heard. Listen before the next "
        "session and bring a question it raised for you.",
        3,
    ),
    (
        "walk",
        "Hold a session on a walk",
        "Leave the meeting room: walking side by side often makes honest conversation easier. "
        "Agree the topic before you set off and jot down what you want to remember afterwards.",
        1,
    ),
    (
        "networking",
        "Go to an event together",
        "Attend a meet-up, webinar or internal network event as a pair. The junior partner "
        "introduces the senior partner to people they would not otherwise meet.",
        4,
    ),
    (
        "news",
        "Discuss a news story",
        "Bring a recent story about technology, work or society that matters to you. Explain "
        "why it caught your attention and ask how your partner reads it.",
        4,
    ),
    (
        "workshop",
        "Try a tool in a mini workshop",
        "The junior partner runs a 30-minute hands-on session on a tool or platform they use "
        "every day; the senior partner tries it on a real piece of their own work.",
        3,
    ),
    (
        "feedback-swap",
        "Swap three pieces of feedback",
        "Each writes down one thing the other does well, one thing to try and one question. "
        "Share them at the start of the session, and agree one change to act on.",
        6,
    ),
]


def seed(apps, schema_editor):
    ActivityIdea = apps.get_model("resources", "ActivityIdea")
    for position, (slug, title, description, step) in enumerate(IDEAS, start=1):
        ActivityIdea.objects.update_or_create(
            organisation=None,
            slug=slug,
            defaults={
                "title": title,
                "description": description,
                "journey_step": step,
                "position": position,
            },
        )


def unseed(apps, schema_editor):
    ActivityIdea = apps.get_model("resources", "ActivityIdea")
    ActivityIdea.objects.filter(organisation=None, slug__in=[i[0] for i in IDEAS]).delete()


class Migration(migrations.Migration):
    dependencies = [("resources", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
