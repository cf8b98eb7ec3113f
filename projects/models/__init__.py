"""Running a project: the project and its targets, memberships and pool invitations,
meetings and attendance, and paying people. One module per concern; import from here."""

from projects.models.meetings import (
    Attendance,
    AttendanceStatus,
    EmailKind,
    Invitation,
    Meeting,
    MeetingEmail,
    Response,
)
from projects.models.memberships import (
    HeldSignup,
    Membership,
    MembershipStatus,
    ProjectInvitation,
)
from projects.models.payments import (
    MAX_PAYMENT,
    ClaimStatus,
    ExpenseCategory,
    ExpenseClaim,
    FeeBasis,
    PaidPaymentLocked,
    Payment,
    PaymentKind,
    PaymentPolicy,
    PaymentStatus,
    ReminderSent,
)
from projects.models.projects import CoverageTarget, MeetingFormat, Project, ProjectQuerySet, Stage

__all__ = [
    "MAX_PAYMENT",
    "Attendance",
    "AttendanceStatus",
    "ClaimStatus",
    "CoverageTarget",
    "EmailKind",
    "ExpenseCategory",
    "ExpenseClaim",
    "FeeBasis",
    "HeldSignup",
    "Invitation",
    "Meeting",
    "MeetingEmail",
    "MeetingFormat",
    "Membership",
    "MembershipStatus",
    "PaidPaymentLocked",
    "Payment",
    "PaymentKind",
    "PaymentPolicy",
    "PaymentStatus",
    "Project",
    "ProjectInvitation",
    "ProjectQuerySet",
    "Response",
    "ReminderSent",
    "Stage",
]
