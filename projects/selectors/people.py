"""Reads for the staff people directory and one person's page: everyone across projects,
with their consents, projects, meetings, hours, payments and claims. Each runs a fixed
number of queries whatever the data."""

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Func, IntegerField, Q, QuerySet, Sum
from django.utils.text import capfirst

from projects.models import (
    Attendance,
    AttendanceStatus,
    ExpenseClaim,
    Invitation,
    Membership,
    Payment,
)
from stakeholders.models import (
    ConsentRecord,
    PeopleCount,
    Person,
    account_number_masked,
    sort_code_masked,
)
from stakeholders.people_count import KEPT_ROW, people_counted

PEOPLE_PER_PAGE = 25
RECORDS_PER_PAGE = 10
# The lists on a person's page, each paginated by its own query parameter.
PERSON_LISTS = (
    "consents",
    "projects",
    "invitations",
    "attendances",
    "payments",
    "claims",
    "history",
)
# What a row of the people directory shows: the rest (bank details among them) is not read.
DIRECTORY_FIELDS = (
    "public_id",
    "full_name",
    "preferred_name",
    "email",
    "phone",
    "stakeholder_group",
    "in_pool",
    "involvement_consent_given",
)
# A phone search needs this many digits, so "1" does not match everyone.
SHORTEST_PHONE_SEARCH = 4


def _phone_digits(text: str) -> str:
    """The digits of a UK number as the roster stores them (+44…), from "07911 123456"."""
    digits = re.sub(r"\D", "", text)
    if digits.startswith("0"):
        digits = "44" + digits[1:]
    return digits


class _CountedPaginator(Paginator):
    """A paginator told how many objects there are, rather than counting them."""

    def __init__(self, object_list, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self.count = count


# Subqueries written out once rather than built by the ORM (a Subquery with Count and
# Coalesce), which took longer to compile, each visit, than the database to run them.
# Only names from the models go into them, never anything a user typed.
class _ProjectCount(Func):
    """How many projects the person is a member of."""

    template = (
        f'(SELECT COUNT(*) FROM "{Membership._meta.db_table}" "_membership"'  # noqa: S608
        ' WHERE "_membership"."person_id" = %(expressions)s)'
    )
    output_field = IntegerField()


class _KeptPeopleCount(Func):
    """The count kept by stakeholders.people_count (NULL if none is kept yet), the same
    on every row, run once by the database."""

    template = (
        f'(SELECT "not_erased" FROM "{PeopleCount._meta.db_table}"'  # noqa: S608
        f' WHERE "id" = {KEPT_ROW})'
    )
    output_field = IntegerField()

    def __init__(self) -> None:
        super().__init__()


def people_directory(
    *, q: str = "", group: str = "", pool: str = "", consent: str = "", page_number=None
) -> Page:
    """Everyone on the roster, not erased, by name: searched by name, email or phone and
    filtered by group, pool and consent. The page's rows are plain rows of DIRECTORY_FIELDS
    and project_count. The page walks the person_directory_idx index; memberships are
    counted only for the people on it. Unfiltered, how many people there are is the count
    kept by stakeholders.people_count, read with the page (one query in all), since
    counting everyone read every person; filtered, the paginator counts the people found
    (two queries)."""
    people = Person.objects.filter(erased_at=None)
    if q := q.strip():
        found = Q(full_name__icontains=q) | Q(preferred_name__icontains=q) | Q(email__icontains=q)
        digits = _phone_digits(q)
        if len(digits) >= SHORTEST_PHONE_SEARCH:
            found |= Q(phone__contains=digits)
        people = people.filter(found)
    if group:
        people = people.filter(stakeholder_group=group)
    if pool:
        people = people.filter(in_pool=pool == "yes")
    if consent:
        people = people.filter(involvement_consent_given=consent == "given")
    people = (
        people.annotate(project_count=_ProjectCount(F("pk")))
        .order_by("full_name", "pk")
        .values(*DIRECTORY_FIELDS, "project_count")
    )
    if not (q or group or pool or consent):
        page = _page_with_kept_count(people, page_number=page_number)
        if page is not None:
            return page
        kept = people_counted()
        if kept is not None:
            page = _CountedPaginator(people, PEOPLE_PER_PAGE, count=kept).get_page(page_number)
            page.object_list = list(page.object_list)
            return page
    page = Paginator(people, PEOPLE_PER_PAGE).get_page(page_number)
    page.object_list = list(page.object_list)
    return page


def _page_with_kept_count(people: QuerySet, *, page_number) -> Page | None:
    """The page asked for with the kept count read in the same query, or None when that
    cannot be: the page number is not one of the pages the kept count gives (get_page
    then shows the first or the last page) or no count is kept."""
    try:
        number = int(page_number or 1)
    except (TypeError, ValueError):
        return None
    if number < 1:
        return None
    start = (number - 1) * PEOPLE_PER_PAGE
    rows = list(people.annotate(kept=_KeptPeopleCount())[start : start + PEOPLE_PER_PAGE])
    if not rows or rows[0]["kept"] is None:
        return None
    paginator = _CountedPaginator(people, PEOPLE_PER_PAGE, count=rows[0]["kept"])
    if number > paginator.num_pages:
        return None
    return Page(rows, number, paginator)


@dataclass
class Change:
    """One saved version of someone's details: when, by whom, and what changed."""

    when: Any
    by: Any
    kind: str
    fields: list[tuple[str, str, str]]


# Past bank details are never shown in full, any more than the present ones.
MASKED_IN_CHANGES = {
    "bank_sort_code": sort_code_masked,
    "bank_account_number": account_number_masked,
}


def _shown(field, value) -> str:
    if value is None or value == "":
        return "–"
    if field.name in MASKED_IN_CHANGES:
        return MASKED_IN_CHANGES[field.name](value)
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


# Kept in step by other services, or not a detail anyone reads.
NOT_SHOWN_IN_CHANGES = {
    "payment_choices_recorded_at",
    "payment_choices_recorded_by",
    "bank_details_recorded_at",
    "bank_details_recorded_by",
}


def _changes(records: list, older) -> list[Change]:
    """Each version beside the one before it (`older` is the version before the page)."""
    changes = []
    for record, previous in zip(records, [*records[1:], older], strict=True):
        fields = []
        if previous is not None:
            delta = record.diff_against(previous, excluded_fields=NOT_SHOWN_IN_CHANGES)
            for change in delta.changes:
                field = Person._meta.get_field(change.field)
                fields.append(
                    (
                        capfirst(str(field.verbose_name)),
                        _shown(field, change.old),
                        _shown(field, change.new),
                    )
                )
        kind = {"+": "Added", "~": "Changed", "-": "Deleted"}[record.history_type]
        changes.append(Change(record.history_date, record.history_user, kind, fields))
    return changes


def _history_page(person: Person, page_number) -> tuple[Page, list[Change]]:
    versions = person.history.select_related("history_user").order_by(
        "-history_date", "-history_id"
    )
    page = Paginator(versions, RECORDS_PER_PAGE).get_page(page_number)
    records = list(page.object_list)
    older = None
    if records:
        last = records[-1]
        older = (
            person.history.filter(
                Q(history_date__lt=last.history_date)
                | Q(history_date=last.history_date, history_id__lt=last.history_id)
            )
            .order_by("-history_date", "-history_id")
            .first()
        )
    return page, _changes(records, older)


def _paged(queryset: QuerySet, page_number) -> Page:
    return Paginator(queryset, RECORDS_PER_PAGE).get_page(page_number)


def person_record(person: Person, *, pages: dict[str, str | None]) -> dict:
    """Everything staff see on one person's page, each list one page of its own."""
    history_page, changes = _history_page(person, pages.get("history"))
    hours = Attendance.objects.filter(person=person, status=AttendanceStatus.ATTENDED).aggregate(
        hours=Sum("hours"), meetings=Count("pk")
    )
    return {
        "skills": list(person.skills.all()),
        # 2.5, not 2.50 (PostgreSQL keeps the column's two places) nor 1E+1.
        "hours": Decimal(format((hours["hours"] or Decimal("0")).normalize(), "f")),
        "meetings_attended": hours["meetings"],
        "consents": _paged(
            ConsentRecord.objects.filter(person=person)
            .select_related("recorded_by", "withdrawn_by", "wording")
            .order_by("-given_at", "-pk"),
            pages.get("consents"),
        ),
        "projects": _paged(
            Membership.objects.filter(person=person)
            .select_related("project")
            .order_by("project__name", "pk"),
            pages.get("projects"),
        ),
        "invitations": _paged(
            Invitation.objects.filter(person=person)
            .select_related("meeting__project")
            .order_by("-meeting__starts_at", "-pk"),
            pages.get("invitations"),
        ),
        "attendances": _paged(
            Attendance.objects.filter(person=person)
            .select_related("meeting__project", "recorded_by")
            .order_by("-meeting__starts_at", "-pk"),
            pages.get("attendances"),
        ),
        "payments": _paged(
            Payment.objects.filter(person=person)
            .select_related("project")
            .order_by("-created_at", "-pk"),
            pages.get("payments"),
        ),
        "claims": _paged(
            ExpenseClaim.objects.filter(person=person)
            .select_related("project", "meeting", "recorded_by")
            .order_by("-submitted_at", "-pk"),
            pages.get("claims"),
        ),
        "history": history_page,
        "changes": changes,
    }
