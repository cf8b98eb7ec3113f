"""A project's meetings, who is invited, the emails owed to them, and who came."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from coprod.core.days import day_text
from coprod.core.outbox import Delivery
from projects.models.projects import Project, Stage
from stakeholders.models import StakeholderGroup


def _day(moment, *, short: bool) -> str:
    """ "Monday 3 March 2025", or "Mon 3 Mar 2025" when short."""
    return day_text(moment, short=short, weekday=True)


def _clock(moment) -> str:
    """ "10:00 am", "4:30 pm", "12:00 pm" (noon), "12:15 am" (just after midnight)."""
    return f"{(moment.hour - 1) % 12 + 1}:{moment.minute:02d} {'am' if moment.hour < 12 else 'pm'}"


def time_span(starts_at, ends_at, *, short: bool = False) -> str:
    """When something runs, in UK time: "Monday 3 March 2025, 10:00 am to 4:00 pm", or with
    the end's day too when it ends on a later day, so a two-day event never reads as a few
    hours. `short` abbreviates the days for lists: "Mon 3 Mar 2025, 10:00 am to ..."."""
    starts, ends = timezone.localtime(starts_at), timezone.localtime(ends_at)
    start = f"{_day(starts, short=short)}, {_clock(starts)}"
    if starts.date() == ends.date():
        return f"{start} to {_clock(ends)}"
    return f"{start} to {_day(ends, short=short)}, {_clock(ends)}"


class Meeting(models.Model):
    """A meeting of a project. Times are stored in UTC and shown in Europe/London.

    `sequence` goes up on every change people must hear about (time, place, cancellation),
    as RFC 5545 asks, so calendars replace the old entry rather than add a new one.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="meetings")
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField("starts")
    ends_at = models.DateTimeField("ends")
    place = models.CharField("where", max_length=300, blank=True)
    online_link = models.URLField("online link", blank=True)
    access_info = models.TextField(
        "access information",
        blank=True,
        help_text="For example: step-free entrance, hearing loop, BSL interpreter booked.",
    )
    agenda = models.TextField(blank=True)
    capacity = models.PositiveIntegerField(
        null=True, blank=True, help_text="Leave empty if there is no limit."
    )
    stage = models.CharField(
        "co-production stage", max_length=20, choices=Stage.choices, default=Stage.DESIGN
    )
    sequence = models.PositiveIntegerField(default=0, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)
    minutes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="meeting_ends_after_it_starts",
                violation_error_message="The meeting must end after it starts.",
            ),
        ]
        indexes = [
            # The dashboard and reminders look for meetings still to come.
            models.Index(
                fields=["starts_at"],
                name="meeting_upcoming_idx",
                condition=models.Q(cancelled_at=None),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({timezone.localtime(self.starts_at):%d %b %Y %H:%M})"

    def save(self, *args, **kwargs) -> None:
        # Whole minutes, as forms show them, so saving an unchanged form changes nothing.
        self.starts_at = self.starts_at.replace(second=0, microsecond=0)
        self.ends_at = self.ends_at.replace(second=0, microsecond=0)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse(
            "projects:meeting", kwargs={"slug": self.project.slug, "meeting_id": self.public_id}
        )

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def is_over(self) -> bool:
        return self.ends_at <= timezone.now()

    @property
    def has_started(self) -> bool:
        return self.starts_at <= timezone.now()

    @property
    def when(self) -> str:
        return time_span(self.starts_at, self.ends_at)

    @property
    def when_short(self) -> str:
        return time_span(self.starts_at, self.ends_at, short=True)


class Response(models.TextChoices):
    NO_ANSWER = "no_answer", "Not answered yet"
    ACCEPTED = "accepted", "Coming"
    DECLINED = "declined", "Not coming"
    WAITLISTED = "waitlisted", "On the waiting list"
    # Set by the app, never by an answer: the person withdrew their involvement consent or
    # was erased, so the invitation no longer stands and nobody may contact them about it.
    WITHDRAWN = "withdrawn", "Withdrawn: no longer taking part"


class Invitation(models.Model):
    """One person invited to one meeting, and their answer."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey(
        "stakeholders.Person", on_delete=models.CASCADE, related_name="invitations"
    )
    response = models.CharField(max_length=12, choices=Response.choices, default=Response.NO_ANSWER)
    responded_at = models.DateTimeField(null=True, blank=True)
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    needs_support = models.BooleanField("needs support to attend", default=False)
    support_note = models.TextField("support they need", blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The staff member who recorded the answer for someone not online (told by phone or in
    # person); empty when the person answered themselves.
    answer_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # When and by whom the support asked for was arranged; cleared when the person asks for
    # something different, so the new request reaches staff's to-do list again.
    support_arranged_at = models.DateTimeField(null=True, blank=True)
    support_arranged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"], name="invitation_once_per_meeting"
            ),
        ]
        indexes = [
            # Offering a freed place goes to the longest-waiting person first.
            models.Index(
                fields=["meeting", "waitlisted_at"],
                name="invitation_waitlist_idx",
                condition=models.Q(response="waitlisted"),
            ),
            # The dashboard's "Support to arrange" looks only at support not yet arranged.
            models.Index(
                fields=["meeting"],
                name="invitation_support_waiting_idx",
                condition=models.Q(support_arranged_at=None)
                & (models.Q(needs_support=True) | ~models.Q(support_note="")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.meeting}"

    @property
    def is_withdrawn(self) -> bool:
        """Withdrawn, or about a person nobody may contact any more: its links and answers
        no longer count, and no email about it goes."""
        return self.response == Response.WITHDRAWN or not self.person.may_be_contacted

    @property
    def asked_for_support(self) -> bool:
        return self.needs_support or bool(self.support_note)

    @property
    def support_is_arranged(self) -> bool:
        return self.support_arranged_at is not None


class EmailKind(models.TextChoices):
    INVITATION = "invitation", "Invitation"
    UPDATE = "update", "Change to the meeting"
    CANCELLATION = "cancellation", "Meeting cancelled"
    PLACE_OFFERED = "place_offered", "A place came free"
    REMINDER = "reminder", "Reminder"


class MeetingEmail(Delivery):
    """The outbox: one row per email owed to an invitee. A worker claims a row before it
    sends, so a task run twice, or two workers, never send the same email twice; rows the
    broker never received are picked up by a periodic sweep."""

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="emails")
    kind = models.CharField(max_length=15, choices=EmailKind.choices)
    # The meeting's sequence for invitations, updates and cancellations; hours before the
    # meeting for reminders; the waiting-list offer number for offers.
    key = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    failed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["invitation", "kind", "key"], name="meeting_email_once"
            ),
        ]
        indexes = [
            # The sweep looks for emails neither sent nor given up on.
            models.Index(
                fields=["created_at"],
                name="meeting_email_unsent_idx",
                condition=models.Q(sent_at=None, failed_at=None),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.invitation}"


class AttendanceStatus(models.TextChoices):
    ATTENDED = "attended", "Attended"
    NO_SHOW = "no_show", "Did not come"


class Attendance(models.Model):
    """Who came to a meeting and for how long; involvement payments are based on this."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    person = models.ForeignKey(
        "stakeholders.Person", on_delete=models.CASCADE, related_name="attendances"
    )
    status = models.CharField(max_length=10, choices=AttendanceStatus.choices)
    hours = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("24"))],
    )
    # The person's group as it was on the day, so later changes do not rewrite history.
    stakeholder_group = models.CharField(max_length=20, choices=StakeholderGroup.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"], name="attendance_once_per_meeting"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.get_status_display().lower()} {self.meeting}"
