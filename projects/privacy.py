"""What projects holds about a person, for their data export and their erasure
(the rules live in stakeholders.privacy; this app names its own records there)."""

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from projects.models import (
    Attendance,
    ExpenseClaim,
    HeldSignup,
    Invitation,
    MeetingEmail,
    Payment,
)
from projects.services.meetings import NOT_SENT_WITHDRAWN, invitations_withdraw
from projects.services.pool import pool_invitations_withdraw
from stakeholders.models import Person, User
from stakeholders.privacy import personal_data_register


def _erase(person: Person, erased_by: User | None) -> None:
    """Attendance, payments and claims keep their rows, so every report and financial
    total stays the same; what the person or staff wrote about them goes, and so do their
    receipts, once the erasure has committed. Nobody contacts them again: their
    invitations still standing are withdrawn and emails still owed are not sent."""
    now = timezone.now()
    invitations_withdraw(person=person, when=now)
    pool_invitations_withdraw(person=person, when=now)
    if person.user_id is not None:
        HeldSignup.objects.filter(user_id=person.user_id).delete()
    claims = ExpenseClaim.objects.filter(person=person)
    old_claims = ExpenseClaim.history.filter(person=person)
    receipts = {name for name in claims.values_list("receipt", flat=True) if name} | {
        name for name in old_claims.values_list("receipt", flat=True) if name
    }
    Invitation.objects.filter(person=person).update(support_note="")
    # A failure's reason may quote their address; why an email was held back does not.
    MeetingEmail.objects.filter(invitation__person=person).exclude(
        last_error=NOT_SENT_WITHDRAWN
    ).update(last_error="")
    claims.update(note="", receipt="")
    old_claims.update(note="", receipt="")
    transaction.on_commit(lambda: [default_storage.delete(name) for name in receipts])


def _has_taken_part(person: Person) -> bool:
    return (
        Attendance.objects.filter(person=person).exists()
        or Payment.objects.filter(person=person).exists()
        or ExpenseClaim.objects.filter(person=person).exists()
    )


personal_data_register(
    exported={
        ("projects.Membership", "person"): "Projects you joined",
        ("projects.HeldSignup", "user"): "A sign-up waiting for you to confirm your email address",
        ("projects.ProjectInvitation", "person"): "Invitations to join a project",
        ("projects.Invitation", "person"): "Meeting invitations and your answers",
        ("projects.Attendance", "person"): "Meetings you came to",
        ("projects.HistoricalAttendance", "person"): "Changes to your attendance records",
        ("projects.Payment", "person"): "Payments for taking part",
        ("projects.HistoricalPayment", "person"): "Changes to your payments",
        ("projects.ExpenseClaim", "person"): "Expense claims",
        ("projects.HistoricalExpenseClaim", "person"): "Changes to your expense claims",
    },
    not_exported={
        ("projects.ProjectInvitation", "invited_by"): "staff audit",
        ("projects.Payment", "approved_by"): "staff audit",
        ("projects.HistoricalPayment", "approved_by"): "staff audit",
        ("projects.HistoricalPayment", "history_user"): "who made a change; rows exported",
        ("projects.Payment", "choice_made_by"): "the person or staff for them; rows exported",
        ("projects.HistoricalPayment", "choice_made_by"): "who chose; rows exported",
        ("projects.PaymentRun", "made_by"): "staff audit",
        ("projects.PersonEarnings", "person"): "worked out from their payments, which are exported",
        ("projects.PaymentRun", "undone_by"): "staff audit",
        # The uploaded file names many people; the job and its file go after a day.
        ("projects.RosterImportJob", "started_by"): "staff audit",
        ("projects.ExpenseClaim", "decided_by"): "staff audit",
        ("projects.HistoricalExpenseClaim", "decided_by"): "staff audit",
        ("projects.ExpenseClaim", "recorded_by"): "staff audit",
        ("projects.HistoricalExpenseClaim", "recorded_by"): "staff audit",
        ("projects.HistoricalExpenseClaim", "history_user"): "who made a change; rows exported",
        ("projects.Meeting", "created_by"): "staff audit",
        ("projects.HistoricalMeeting", "created_by"): "staff audit",
        ("projects.HistoricalMeeting", "history_user"): "staff audit",
        ("projects.HistoricalProject", "history_user"): "staff audit",
        ("projects.Project", "lead"): "staff who lead a project",
        ("projects.HistoricalProject", "lead"): "staff who lead a project",
        ("projects.HistoricalPaymentPolicy", "history_user"): "staff audit",
        ("projects.Invitation", "invited_by"): "staff audit",
        ("projects.Invitation", "answer_recorded_by"): "staff audit",
        ("projects.Invitation", "support_arranged_by"): "staff audit",
        ("projects.Attendance", "recorded_by"): "staff audit",
        ("projects.HistoricalAttendance", "recorded_by"): "staff audit",
        ("projects.HistoricalAttendance", "history_user"): "who made a change; rows exported",
    },
    erase=_erase,
    taken_part=_has_taken_part,
)
