"""What evidence holds about people: only who granted, holds or wrote things, never the
participants themselves (the rules live in stakeholders.privacy)."""

from evidence.models import FeedbackRequest, MeasureReminder, MeasureResponse, MeetingFeedback
from stakeholders.models import Person, User
from stakeholders.privacy import personal_data_register

personal_data_register(
    exported={},
    not_exported={
        ("evidence.ReportGrant", "commissioner"): "commissioners' access, not participants'",
        ("evidence.ReportGrant", "granted_by"): "staff audit",
        ("evidence.EvidenceRecord", "created_by"): "staff audit",
        ("evidence.HistoricalImpactSummary", "history_user"): "staff audit",
        ("evidence.LearningEntry", "created_by"): "staff audit",
        ("evidence.UnitValue", "created_by"): "staff audit",
        ("evidence.StaffTime", "recorded_by"): "staff audit",
        ("evidence.ValuationOutcome", "created_by"): "staff audit",
    },
)


def _erase_meeting_feedback(person: Person, erased_by: User | None) -> None:
    """What they said about meetings loses its link to them and their comment, so each
    meeting's figures stay the same; an answer that was only a comment goes. Nobody asks
    them about a meeting again."""
    FeedbackRequest.objects.filter(person=person).delete()
    mine = MeetingFeedback.objects.filter(person=person)
    mine.filter(listened=None, influence=None, accessible=None).delete()
    mine.update(person=None, comment="")


personal_data_register(
    exported={
        ("evidence.MeetingFeedback", "person"): "What you told us about meetings you came to",
        ("evidence.FeedbackRequest", "person"): "Messages asking you how a meeting went",
    },
    not_exported={},
    erase=_erase_meeting_feedback,
)


def _erase_measure_answers(person: Person, erased_by: User | None) -> None:
    """Their answers to measures go, and nobody reminds them to answer again."""
    MeasureResponse.objects.filter(person=person).delete()
    MeasureReminder.objects.filter(person=person).delete()


personal_data_register(
    exported={
        ("evidence.MeasureResponse", "person"): "When you answered questions about how you are",
        ("evidence.MeasureAnswer", "person"): "Your answers to questions about how you are",
        ("evidence.MeasureReminder", "person"): "Reminders to answer questions about how you are",
    },
    not_exported={
        ("evidence.MeasureResponse", "entered_by"): "staff audit",
        ("evidence.Measure", "created_by"): "staff audit",
        ("evidence.ProjectMeasure", "added_by"): "staff audit",
    },
    erase=_erase_measure_answers,
)
