"""Creating, changing, closing and archiving projects."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from projects.models import ClaimStatus, FeeBasis, PaymentPolicy, PaymentStatus, Project, Stage

# The hourly rate a new project's payment policy starts from, staff change it on the
# payment policy page. Source: the National Institute for Health and Care Research's
# payment guidance for public involvement
# (https://www.nihr.ac.uk/about-us/who-we-are/policies-and-guidelines/payment-guidance-researchers-and-professionals),
# whose rates went up by 10% from 16 December 2025 to £13.80–£495 by activity (NIHR's
# announcement, as reported by thecareruk.com and the Health Research Authority's bulletin
# of January 2026; looked up 3 December 2026). £27.50 is the earlier £25 an hour with that
# uplift: check it against NIHR's current table before relying on it.
NIHR_HOURLY_RATE = Decimal("27.50")

# Paths under /projects/ that are pages, not projects: a project with one of these slugs
# could never be reached.
RESERVED_SLUGS = frozenset({"add", "archived"})
SLUG_MAX_LENGTH = Project._meta.get_field("slug").max_length

PROJECT_FIELDS = frozenset(
    {
        "name",
        "summary",
        "stage",
        "time_commitment",
        "place",
        "meeting_format",
        "payment_offer",
        "contact_name",
        "contact_email",
        "contact_phone",
        "is_open_to_join",
        "access_support",
        "lead",
        "payment_target_days",
        "cost_centre",
    }
)


class StageUnknown(ValueError):
    pass


class ProjectNotArchivable(Exception):
    """The project cannot be archived yet; the message says why in plain English."""


def project_slug_from_name(name: str) -> str:
    """The web address a name gives, or "" if it has no letters or numbers to make one."""
    return slugify(name)[:SLUG_MAX_LENGTH].strip("-")


def project_slug_problem(slug: str, *, exclude: Project | None = None) -> str | None:
    """Why `slug` cannot be a project's web address, in plain English, or None if it can."""
    if not slug:
        return "Enter a web address for the project, using letters, numbers and hyphens."
    if (
        slug in RESERVED_SLUGS
        or Project.objects.exclude(pk=getattr(exclude, "pk", None)).filter(slug=slug).exists()
    ):
        return (
            f"Another project already has the web address “{slug}”. Enter a different "
            f"one, like {slug}-2."
        )
    return None


def project_create(*, slug: str = "", budget: Decimal = Decimal("0.00"), **fields) -> Project:
    """A new project, with a payment policy that starts from NIHR's hourly rate and the
    given involvement budget. `slug` defaults to one made from the name."""
    unknown = set(fields) - PROJECT_FIELDS
    if unknown:
        raise TypeError(f"project_create() got unexpected fields: {sorted(unknown)}")
    project = Project(**fields)
    project.slug = slug or project_slug_from_name(project.name)
    problem = project_slug_problem(project.slug)
    if problem:
        raise ValidationError({"slug": problem})
    project.full_clean()
    policy = PaymentPolicy(
        project=project, fee_basis=FeeBasis.PER_HOUR, fee_rate=NIHR_HOURLY_RATE, budget=budget
    )
    policy.full_clean(exclude=["project"])
    try:
        with transaction.atomic():
            project.save()
            policy.project = project
            policy.save()
    except IntegrityError as error:
        # Another project took the same web address between the check and the save.
        raise ValidationError({"slug": project_slug_problem(project.slug)}) from error
    return project


def project_update(*, project: Project, **fields) -> Project:
    """Change the project's details. Its web address stays the same, so links already
    given out (the sign-up page on a leaflet) keep working."""
    unknown = set(fields) - PROJECT_FIELDS
    if unknown:
        raise TypeError(f"project_update() got unexpected fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(project, name, value)
    project.full_clean()
    project.save(update_fields=sorted(fields))
    return project


def project_stage_change(*, project: Project, stage: str) -> str:
    """Move the project to `stage` (forward, or back to put a mistake right) and return the
    stage it was at. A stage that does not exist changes nothing."""
    if stage not in Stage.values:
        raise StageUnknown(f"There is no stage called {stage!r}.")
    previous = project.stage
    if stage != previous:
        project.stage = stage
        project.save(update_fields=["stage"])
    return previous


def project_archive_problem(project: Project) -> str | None:
    """Why the project cannot be archived yet, in plain English, or None if it can."""
    if project.is_archived:
        return "This project is already archived."
    if project.stage != Stage.CLOSED:
        return "Close the project first: move it to the Closed stage, then archive it."
    unpaid_fees = project.payments.filter(
        status__in=[PaymentStatus.OWED, PaymentStatus.APPROVED]
    ).count()
    unpaid_claims = project.expense_claims.filter(
        status__in=[ClaimStatus.SUBMITTED, ClaimStatus.APPROVED]
    ).count()
    if unpaid_fees or unpaid_claims:
        return (
            f"This project still has {unpaid_fees} fees and {unpaid_claims} expense claims "
            "waiting to be decided or paid. Deal with them on the payments page first, so "
            "nobody is left waiting for money."
        )
    return None


def project_archive(*, project: Project) -> Project:
    """Archive a closed project with nothing left to pay: it is kept and can be read, but
    nothing in it can be changed, and it leaves every list."""
    with transaction.atomic():
        # Locked, so that two clicks, or a fee added at the same moment, cannot slip past
        # the checks.
        locked = Project.objects.select_for_update().get(pk=project.pk)
        problem = project_archive_problem(locked)
        if problem:
            raise ProjectNotArchivable(problem)
        locked.archived_at = timezone.now()
        locked.save(update_fields=["archived_at"])
    project.archived_at = locked.archived_at
    return project
