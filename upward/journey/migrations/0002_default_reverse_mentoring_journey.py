"""The built-in reverse-mentoring journey: kick-off trainings for each role, six pair sessions
and an optional joint knowledge session. The texts live here, frozen, so later edits of this
file's siblings never change what an existing database holds; a new edition of the built-in
journey is a new migration that publishes version 2."""

from django.db import migrations

KEY = "reverse-mentoring-six-sessions"

STEPS = [
    {
        "kind": "mentor_kickoff",
        "title": "Kick-off for mentors: being the expert in the room",
        "purpose": (
            "A workshop for the junior mentors before they meet their mentee. You will be "
            "mentoring someone several levels above you, which can feel odd at first. This "
            "session helps you go in with confidence and come out feeling you gave and gained "
            "something."
        ),
        "mentor_prepares": (
            "Think about two or three things you know well that most senior leaders do not: "
            "tools you use every day, how your generation or community sees the organisation, "
            "what it is like to start out here."
        ),
        "mentee_prepares": "",
        "activities": (
            "Practise giving feedback upward in pairs with other mentors, using real-sounding "
            "examples. Agree a sentence you can use when you want to pause a conversation."
        ),
        "resources": (
            "A short guide to feedback that is specific, kind and about behaviour, not the "
            "person. The programme team's contact details for when something does not feel right."
        ),
        "optional": False,
        "agenda": [
            "What reverse mentoring is, and why your view matters to the organisation",
            "Giving feedback upward: describe what you saw, its effect, and what might help",
            "Boundaries: what you will and will not talk about, and how to say so",
            "Deciding what to share: your experience is yours; share only what you choose",
            "Confidentiality, and how to raise a concern safely and without blame",
            "What you can gain: recognition, visibility, skills to note for your own development",
        ],
    },
    {
        "kind": "mentee_kickoff",
        "title": "Kick-off for mentees: learning from someone junior",
        "purpose": (
            "A workshop for the senior mentees. The programme works when leaders arrive ready "
            "to learn and to listen more than they talk. It also asks you to take on the "
            "organising, so your mentor's time goes on mentoring."
        ),
        "mentor_prepares": "",
        "mentee_prepares": (
            "Write down honestly what you do not yet understand and would like to, and one "
            "assumption you hold that you are willing to have challenged."
        ),
        "activities": (
            "Listening practice: one person talks for three minutes about their week, the other "
            "only asks questions. Swap, then talk about what was hard."
        ),
        "resources": (
            "Notes on active listening and on receiving feedback without defending yourself. "
            "The programme's commitment: how often pairs meet and for how long."
        ),
        "optional": False,
        "agenda": [
            "Why the roles are flipped, and what leaders who did this before learnt",
            "How to be a learner: curiosity, questions, and saying “I don't know”",
            "Listening well, and receiving feedback without explaining it away",
            "The power gap: what makes it hard for a junior colleague to be candid",
            "You organise: booking meetings, sending invites, keeping notes of actions",
            "Turning what you learn into actions the organisation can see",
        ],
    },
    {
        "kind": "session",
        "title": "Session 1: Introductions and expectations",
        "purpose": (
            "Get to know each other as people first, and agree how you will work together. "
            "Record your agreement in Upward so you both know where you stand."
        ),
        "mentor_prepares": (
            "A few sentences about your background and role, and what you think you could help "
            "your mentee with. Anything you would rather not discuss."
        ),
        "mentee_prepares": (
            "Your career story in five minutes, and what you hope to learn. A proposal for how "
            "often and how long you meet, and a first date for session 2."
        ),
        "activities": "A walk or a coffee away from your usual desks makes the first talk easier.",
        "resources": "The pair agreement in Upward.",
        "optional": False,
        "agenda": [
            "Introduce yourselves: careers, backgrounds, what brought you to the programme",
            "What the mentee wants to learn, and what the mentor would like to gain",
            "Agree confidentiality: what stays between you",
            "Agree how often you meet, for how long, and until when",
            "Agree how either of you raises a problem or pauses the pairing",
            "First thoughts on the mentee's goals",
            "Both confirm the pair agreement",
        ],
    },
    {
        "kind": "session",
        "title": "Session 2: Setting goals",
        "purpose": (
            "Turn hopes into a few clear goals, for both of you: reverse mentoring works best "
            "when the learning goes both ways."
        ),
        "mentor_prepares": (
            "Read your mentee's first thoughts on goals and think about what makes each one "
            "specific and measurable. Note one goal of your own."
        ),
        "mentee_prepares": (
            "Draft two or three goals, short and long term, in order of priority, with the "
            "skills each one needs."
        ),
        "activities": "Sketch a vision board of where the mentee wants to be in six months.",
        "resources": "A one-page guide to specific, measurable, realistic goals with a date.",
        "optional": False,
        "agenda": [
            "Review the draft goals and give each other honest feedback on them",
            "Make each goal specific, measurable and time-bound",
            "Put the goals in priority order, short term and long term",
            "List the skills each goal needs",
            "Agree a first task towards the first goal",
        ],
    },
    {
        "kind": "session",
        "title": "Session 3: Building skills",
        "purpose": (
            "Take stock of the mentee's skills, choose what to develop first, and practise it."
        ),
        "mentor_prepares": (
            "Ideas for hands-on practice in your area of expertise, and one or two outside "
            "resources you trust."
        ),
        "mentee_prepares": (
            "A candid self-assessment of your strengths and weaknesses against your goals, and "
            "the outcome of the first task."
        ),
        "activities": (
            "Job shadowing: the mentee spends an hour seeing the mentor's working day. Try a tool "
            "together rather than talking about it."
        ),
        "resources": "Courses, podcasts or articles the mentor recommends.",
        "optional": False,
        "agenda": [
            "How did the first task go?",
            "Self-assessment: strengths and gaps against the goals",
            "Choose the skills to develop first",
            "Outside resources worth the time",
            "Agree a task to practise one skill before the next session",
        ],
    },
    {
        "kind": "knowledge",
        "title": "Joint knowledge session (optional)",
        "purpose": (
            "Mentors and mentees from the whole programme meet on a theme, hear from a guest or "
            "each other, and swap what is working."
        ),
        "mentor_prepares": "One thing that has worked well in your pairing, if you want to share it.",
        "mentee_prepares": "One thing you have learnt so far, if you want to share it.",
        "activities": "A networking event where pairs meet other pairs.",
        "resources": "",
        "optional": True,
        "agenda": [
            "A short talk on the programme's theme",
            "Small-group conversations, mixing mentors and mentees",
            "What pairs would change for the second half",
        ],
    },
    {
        "kind": "session",
        "title": "Session 4: New perspectives",
        "purpose": (
            "Look at the organisation from both ends. The mentor's view of its culture is the "
            "heart of reverse mentoring: listen to understand, not to reply."
        ),
        "mentor_prepares": (
            "Your honest view of the organisation's culture from where you sit: what helps, what "
            "gets in the way, and for whom. Share only what you are comfortable sharing."
        ),
        "mentee_prepares": (
            "Progress on your task, and the challenges you face in your role that your mentor "
            "may not see."
        ),
        "activities": "Read and discuss the same article or book chapter on workplace culture.",
        "resources": "",
        "optional": False,
        "agenda": [
            "Review the tasks from last time",
            "Each share your experience of working here",
            "The mentor's feedback on the organisation's culture",
            "Challenges each of you faces",
            "Ideas for a more inclusive workplace the mentee can act on",
            "Open questions, both ways",
        ],
    },
    {
        "kind": "session",
        "title": "Session 5: Leadership",
        "purpose": (
            "Swap views on leadership: the mentee shares what they have learnt about leading, "
            "and the mentor gives feedback on the mentee's leadership as it looks from below."
        ),
        "mentor_prepares": (
            "Your strengths and the areas you want to grow as a future leader, and an example of "
            "leadership you have seen work well."
        ),
        "mentee_prepares": (
            "A leadership situation you are facing now, and the training or opportunities the "
            "organisation offers that could help your mentor."
        ),
        "activities": "Role-play a difficult conversation, each taking the other's part.",
        "resources": "The organisation's leadership and development offer.",
        "optional": False,
        "agenda": [
            "The mentor's strengths and areas to grow",
            "What leadership looks like here, from both ends",
            "The mentor's feedback on the mentee's leadership",
            "Role-play a real situation",
            "Training and opportunities worth following up",
        ],
    },
    {
        "kind": "session",
        "title": "Session 6: Review and next steps",
        "purpose": (
            "Look back at the goals and forward to what happens next, and tell each other and "
            "the programme team what worked."
        ),
        "mentor_prepares": (
            "What you gained and want recognised, and what you would tell the next cohort of "
            "mentors."
        ),
        "mentee_prepares": (
            "Progress against each goal, a fresh look at your skills, and the commitments you "
            "will act on after the programme."
        ),
        "activities": "Plan one thing to do together after the programme, such as an event.",
        "resources": "The programme's closing survey.",
        "optional": False,
        "agenda": [
            "Progress update on each goal",
            "Reassess the skills you chose in session 3",
            "Resources to keep using",
            "The mentee's commitments to act on, with dates",
            "Whether and how you keep in touch",
            "Feedback for each other and for the programme",
        ],
    },
]


def create_default(apps, schema_editor):
    JourneyTemplate = apps.get_model("journey", "JourneyTemplate")
    JourneyVersion = apps.get_model("journey", "JourneyVersion")
    JourneyStep = apps.get_model("journey", "JourneyStep")
    AgendaItem = apps.get_model("journey", "AgendaItem")
    from django.utils import timezone

    if JourneyTemplate.objects.filter(key=KEY).exists():
        return
    template = JourneyTemplate.objects.create(
        organisation=None,
        key=KEY,
        is_builtin=True,
        name="Reverse mentoring in six sessions",
        description=(
            "Separate kick-off trainings for mentors and mentees, six pair sessions from "
            "introductions to review, and an optional joint knowledge session halfway."
        ),
    )
    version = JourneyVersion.objects.create(
        template=template,
        number=1,
        published_at=timezone.now(),
        change_note="First edition.",
    )
    for position, data in enumerate(STEPS, start=1):
        step = JourneyStep.objects.create(
            version=version,
            position=position,
            kind=data["kind"],
            title=data["title"],
            purpose=data["purpose"],
            mentor_prepares=data["mentor_prepares"],
            mentee_prepares=data["mentee_prepares"],
            activities=data["activities"],
            resources=data["resources"],
            is_optional=data["optional"],
        )
        AgendaItem.objects.bulk_create(
            AgendaItem(step=step, position=i, text=text)
            for i, text in enumerate(data["agenda"], start=1)
        )


def remove_default(apps, schema_editor):
    JourneyTemplate = apps.get_model("journey", "JourneyTemplate")
    ProgrammeJourney = apps.get_model("journey", "ProgrammeJourney")
    # Programmes pinned to the built-in journey keep it: reversing would break their history.
    if ProgrammeJourney.objects.filter(version__template__key=KEY).exists():
        raise RuntimeError(
            "Programmes follow the built-in journey; move them to another template first."
        )
    JourneyTemplate.objects.filter(key=KEY).delete()


class Migration(migrations.Migration):
    dependencies = [("journey", "0001_journey_models")]

    operations = [migrations.RunPython(create_default, remove_default)]
