"""Matching runs, the manager's pins and exclusions, and the pairings they lead to."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from upward.core.fields import EncryptedTextField


# Choice lists stand outside their model so its Meta can name them: the CheckConstraints
# use their .values rather than a copy of the list.
class RuleKind(models.TextChoices):
    PIN = "pin", _("Always pair")
    EXCLUDE = "exclude", _("Never pair")


class MatchRule(models.Model):
    """A manager's decision the engine must respect on every run of the programme."""

    Kind = RuleKind

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="match_rules"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    mentee = models.ForeignKey("organisations.Person", on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey("organisations.Person", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=RuleKind.values), name="rule_kind_valid"),
            models.CheckConstraint(condition=~Q(mentee=F("mentor")), name="rule_two_people"),
            # A pair is either pinned or excluded, never both.
            models.UniqueConstraint(
                fields=["programme", "mentee", "mentor"], name="one_rule_per_pair"
            ),
            # A mentee can be pinned to one mentor only.
            models.UniqueConstraint(
                fields=["programme", "mentee"], condition=Q(kind="pin"), name="one_pin_per_mentee"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.mentee_id}–{self.mentor_id}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Running")
    READY = "ready", _("Ready to review")
    FAILED = "failed", _("Failed")


class RunStage(models.TextChoices):
    """Where a run is: shown with a progress bar while it works."""

    QUEUED = "queued", _("Waiting to start")
    LOADING = "loading", _("Loading participants and rules")
    SCORING = "scoring", _("Scoring every possible pair")
    SOLVING = "solving", _("Finding the best set of pairs")
    EXPLAINING = "explaining", _("Explaining each pair")
    SAVING = "saving", _("Saving the proposal")
    DONE = "done", _("Done")


class RunKind(models.TextChoices):
    FULL = "full", _("Everyone without a partner")
    REMATCH = "rematch", _("New partner")
    AUTOMATIC = "automatic", _("Automatic, after a proposal did not go ahead")
    CHOICE = "choice", _("From participants' choices")


class RunMode(models.TextChoices):
    OPTIMAL = "optimal", _("Best total (optimal)")
    FAIR = "fair", _("Fairest for the worst-off pair (fair)")


class MatchRun(models.Model):
    """One run of the engine: its inputs, its settings and what it proposed."""

    Status = RunStatus

    Kind = RunKind

    Mode = RunMode

    Stage = RunStage

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="match_runs"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    # Progress while the run works, written by the run itself at each stage (see
    # services.runs.compute_match_run) and polled by the run page.
    stage = models.CharField(max_length=12, choices=Stage.choices, default=Stage.QUEUED)
    progress_percent = models.PositiveSmallIntegerField(default=0)
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.OPTIMAL)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.FULL)
    # The choice round whose rankings this run resolved (kind "choice" only).
    choice_round = models.ForeignKey(
        "pairing.ChoiceRound",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="runs",
    )
    # Person ids a "find a new partner" run is about; empty for a run over every free person.
    scope = models.JSONField(default=list, blank=True)
    # Person ids kept out of the run: an automatic rematch does not propose again to someone
    # who has just declined, or let a proposal expire, in this programme.
    left_aside = models.JSONField(default=list, blank=True)
    weights = models.JSONField(default=dict)
    # min_level_gap, exclude_same_team, capacity, max_concurrent, respond_days.
    settings = models.JSONField(default=dict)
    fingerprint = models.CharField(max_length=64, blank=True)
    n_mentees = models.PositiveIntegerField(default=0)
    n_mentors = models.PositiveIntegerField(default=0)
    # pairs, unmatched, left_out, report and constraints (see services.runs._results).
    results = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    ran_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=RunStatus.values),
                name="match_run_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(mode__in=RunMode.values), name="match_run_mode_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=RunKind.values),
                name="match_run_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(kind="choice", choice_round__isnull=False)
                | (~Q(kind="choice") & Q(choice_round__isnull=True)),
                name="match_run_choice_has_round",
            ),
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | Q(status="ready"),
                name="match_run_published_when_ready",
            ),
            models.CheckConstraint(
                condition=Q(progress_percent__lte=100), name="match_run_progress_in_range"
            ),
            models.CheckConstraint(
                condition=Q(stage__in=RunStage.values), name="match_run_stage_valid"
            ),
        ]
        indexes = [models.Index(fields=["programme", "-created_at"])]

    def __str__(self) -> str:
        return f"Run {self.pk} of {self.programme_id}"

    @property
    def is_busy(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def badge(self) -> tuple[str, str]:
        """The one state a run is shown in: (css modifier, label). A published run is only
        "Published", a replaced one only "Superseded", whatever its engine status was."""
        if self.published_at is not None:
            return "published", str(_("Published"))
        if self.status in (RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.FAILED):
            return self.status, str(self.get_status_display())
        if self.superseded_at is not None:
            return "superseded", str(_("Superseded"))
        return self.status, str(self.get_status_display())

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None


class PairingState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed to the mentor")
    MENTOR_ACCEPTED = "mentor_accepted", _("Mentor accepted; waiting for the mentee")
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    DECLINED = "declined", _("Did not go ahead")
    ENDED = "ended", _("Ended")


LIVE_STATES = (PairingState.PROPOSED, PairingState.MENTOR_ACCEPTED, PairingState.ACTIVE)

# The only moves a pairing can make; services use it and the database checks the log of moves.
PAIRING_TRANSITIONS: dict[str, tuple[str, ...]] = {
    PairingState.PROPOSED: (
        PairingState.MENTOR_ACCEPTED,
        PairingState.DECLINED,
        PairingState.ENDED,
    ),
    PairingState.MENTOR_ACCEPTED: (PairingState.ACTIVE, PairingState.DECLINED, PairingState.ENDED),
    PairingState.ACTIVE: (PairingState.COMPLETED, PairingState.ENDED),
    PairingState.COMPLETED: (),
    PairingState.DECLINED: (),
    PairingState.ENDED: (),
}


def _pairing_transition_condition() -> Q:
    condition = Q()
    for source, targets in PAIRING_TRANSITIONS.items():
        for target in targets:
            condition |= Q(from_state=source, to_state=target)
    return condition


class PairingClosedBy(models.TextChoices):
    MENTOR = "mentor", _("The mentor")
    MENTEE = "mentee", _("The mentee")
    MANAGER = "manager", _("The programme team")
    DEADLINE = "deadline", _("Nobody answered in time")


class Pairing(models.Model):
    """A mentor and a mentee in a programme, from the proposal to the end.

    Junior first: the mentor answers before the mentee hears anything. `mentee_told_at` is the
    moment the mentee learnt of the pairing; without it the mentee cannot see the row at all.
    """

    encryption_organisation = "programme.organisation_id"

    ClosedBy = PairingClosedBy

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="pairings"
    )
    mentor = models.ForeignKey(
        "organisations.Person", on_delete=models.CASCADE, related_name="pairings_as_mentor"
    )
    mentee = models.ForeignKey(
        "organisations.Person", on_delete=models.CASCADE, related_name="pairings_as_mentee"
    )
    run = models.ForeignKey(
        MatchRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="pairings"
    )
    state = models.CharField(
        max_length=20, choices=PairingState.choices, default=PairingState.PROPOSED
    )
    score = models.FloatField(null=True, blank=True)
    # The engine's per-criterion contributions, for the reasons shown to each side.
    explanation = models.JSONField(default=dict, blank=True)
    respond_by = models.DateTimeField()
    mentor_responded_at = models.DateTimeField(null=True, blank=True)
    mentee_told_at = models.DateTimeField(null=True, blank=True)
    mentee_responded_at = models.DateTimeField(null=True, blank=True)
    mentor_reminded_at = models.DateTimeField(null=True, blank=True)
    mentee_reminded_at = models.DateTimeField(null=True, blank=True)
    # Who closed a declined or ended pairing and why: for the programme team only.
    closed_by = models.CharField(max_length=10, choices=ClosedBy.choices, blank=True)
    closed_reason = EncryptedTextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=PairingState.values), name="pairing_state_valid"
            ),
            models.CheckConstraint(condition=~Q(mentee=F("mentor")), name="pairing_two_people"),
            models.CheckConstraint(
                condition=Q(closed_by__in=["", *PairingClosedBy.values]),
                name="pairing_closed_by_valid",
            ),
            # Past the proposal, the mentor has answered and the mentee has been told.
            models.CheckConstraint(
                condition=~Q(state__in=["mentor_accepted", "active", "completed"])
                | Q(mentor_responded_at__isnull=False, mentee_told_at__isnull=False),
                name="pairing_mentor_answered_first",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["active", "completed"])
                | Q(mentee_responded_at__isnull=False),
                name="pairing_active_needs_mentee",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["declined", "ended"]) | ~Q(closed_by=""),
                name="pairing_closed_says_who",
            ),
            # One live pairing per mentee and programme. Mentor capacity can be above one, so
            # it is checked under a lock on the programme row (services._shared._lock_programme).
            models.UniqueConstraint(
                fields=["programme", "mentee"],
                condition=Q(state__in=["proposed", "mentor_accepted", "active"]),
                name="one_live_pairing_per_mentee",
            ),
        ]
        indexes = [
            models.Index(fields=["programme", "state"]),
            models.Index(fields=["mentor", "state"]),
            models.Index(fields=["mentee", "state"]),
            models.Index(fields=["state", "respond_by"]),
        ]

    def __str__(self) -> str:
        return f"{self.mentor_id} → {self.mentee_id} ({self.state})"

    @property
    def is_live(self) -> bool:
        return self.state in LIVE_STATES


class PairingStateChange(models.Model):
    """Every move of a pairing. The constraint makes an invalid move impossible to record."""

    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="state_changes")
    from_state = models.CharField(max_length=20, choices=PairingState.choices)
    to_state = models.CharField(max_length=20, choices=PairingState.choices)
    by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=_pairing_transition_condition(), name="pairing_change_allowed"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_state} → {self.to_state}"


class MatchSetup(models.Model):
    """The programme team's saved matching settings and weights.

    The next run or choice round starts from whichever is newer: this, or the latest run's
    own settings. It is where "who chooses" lives before any run exists.
    """

    programme = models.OneToOneField(
        "programmes.Programme", on_delete=models.CASCADE, related_name="match_setup"
    )
    weights = models.JSONField(default=dict)
    settings = models.JSONField(default=dict)
    saved_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    saved_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Matching set-up of {self.programme_id}"


class MatchingMode(models.TextChoices):
    MANAGER = "manager", _("The programme team proposes pairs")
    CHOICE = "choice", _("Participants choose from their recommendations")


class Choosers(models.TextChoices):
    MENTEES = "mentees", _("Mentees choose their mentor")
    MENTORS = "mentors", _("Mentors choose their mentee")
    BOTH = "both", _("Both choose")


class RoundStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class ChoiceRound(models.Model):
    """A window in which participants rank the partners recommended to them.

    Opened by the programme team; closed by them or by its deadline, which turns everyone's
    rankings into a match run (kind "choice") for the usual review and publishing.
    """

    Status = RoundStatus

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="choice_rounds"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    who_chooses = models.CharField(max_length=10, choices=Choosers.choices)
    shortlist_size = models.PositiveSmallIntegerField()
    max_ranked = models.PositiveSmallIntegerField()
    # The settings and weights the shortlists were scored with; the resolving run uses them.
    weights = models.JSONField(default=dict)
    settings = models.JSONField(default=dict)
    closes_at = models.DateTimeField()
    opened_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_on_deadline = models.BooleanField(default=False)
    # Counts from opening: people asked, people with no possible partner (never names).
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=RoundStatus.values),
                name="choice_round_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(who_chooses__in=Choosers.values),
                name="choice_round_choosers_valid",
            ),
            models.CheckConstraint(
                condition=Q(shortlist_size__gte=2, shortlist_size__lte=20)
                & Q(max_ranked__gte=1, max_ranked__lte=F("shortlist_size")),
                name="choice_round_sizes_valid",
            ),
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True)
                | (~Q(status="open") & Q(closed_at__isnull=False)),
                name="choice_round_closed_when_not_open",
            ),
            # One open round per programme at a time.
            models.UniqueConstraint(
                fields=["programme"], condition=Q(status="open"), name="one_open_choice_round"
            ),
        ]
        indexes = [models.Index(fields=["status", "closes_at"])]

    def __str__(self) -> str:
        return f"Choice round {self.pk} of {self.programme_id} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class ChooserRole(models.TextChoices):
    MENTEE = "mentee", _("Mentee")
    MENTOR = "mentor", _("Mentor")


class Chooser(models.Model):
    """One participant asked to rank partners in a round. Their ranking is private: only the
    programme team sees it, through the run it leads to."""

    round = models.ForeignKey(ChoiceRound, on_delete=models.CASCADE, related_name="choosers")
    person = models.ForeignKey(
        "organisations.Person", on_delete=models.CASCADE, related_name="choice_seats"
    )
    role = models.CharField(max_length=10, choices=ChooserRole.choices)
    ranked_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["round", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "person"], name="one_seat_per_round"),
            models.CheckConstraint(
                condition=Q(role__in=ChooserRole.values), name="chooser_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} in round {self.round_id}"


class ChoiceOption(models.Model):
    """A recommended partner on a chooser's shortlist, with the chooser's rank if given."""

    chooser = models.ForeignKey(Chooser, on_delete=models.CASCADE, related_name="options")
    partner = models.ForeignKey("organisations.Person", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()  # 1 = best recommendation
    score = models.FloatField()
    # The engine's per-criterion points; pages show plain-word reasons from them.
    contributions = models.JSONField(default=list, blank=True)
    rank = models.PositiveSmallIntegerField(null=True, blank=True)  # 1 = first choice

    class Meta:
        ordering = ["chooser", "position"]
        constraints = [
            models.UniqueConstraint(fields=["chooser", "partner"], name="option_once_per_partner"),
            models.UniqueConstraint(fields=["chooser", "position"], name="option_position_unique"),
            models.UniqueConstraint(
                fields=["chooser", "rank"],
                condition=Q(rank__isnull=False),
                name="option_rank_unique",
            ),
            models.CheckConstraint(condition=Q(position__gte=1), name="option_position_valid"),
            models.CheckConstraint(
                condition=Q(rank__isnull=True) | Q(rank__gte=1), name="option_rank_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner_id} #{self.position} for {self.chooser_id}"
