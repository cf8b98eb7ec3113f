"""Participants' rights under UK GDPR: see everything held about them, have it erased, and
have it kept no longer than needed.

Every model that refers to a person (or their login) is named, either as exported or as
left out with the reason; tests/stakeholders/test_privacy_export.py fails when a new one is
neither, so no new kind of personal data can slip past the export or the erasure. People's
own records are named here; the apps above this one (projects, decisions) name theirs, and
say what erasing a person means for them, in their own `privacy` module through
`personal_data_register`, so this module never imports them.
"""

import re
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db import IntegrityError, models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.text import capfirst
from phonenumber_field.phonenumber import PhoneNumber

from coprod.core.pagecache import data_changed
from stakeholders.models import (
    SUBJECT_ACCESS_NOTED_TWICE,
    BenefitsAnswers,
    ConsentKind,
    ConsentRecord,
    ConsentWording,
    DataExportLog,
    EqualityMonitoring,
    ErasureRequest,
    Person,
    Role,
    SigninLink,
    SubjectAccessRequest,
    User,
    account_number_masked,
    sort_code_masked,
)
from stakeholders.services import consent_withdraw
from stakeholders.sessions import sessions_end_for_user

ERASED_NAME = "Erased person"
ERASED_EMAIL_DOMAIN = "erased.invalid"
# A name is replaced only where it stands as a whole word (see _mention), so even a short
# preferred name ("Jo") goes; a single letter could be anybody's initial.
SHORTEST_SCRUBBED = 2
PAGE_SIZE = 25
# Person fields erasure keeps: not identifying, and needed by counts by group and finance.
KEPT_ON_ERASURE = {
    "id",
    "public_id",
    "user",
    "stakeholder_group",
    "payment_method",
    "created_at",
    "created_by",
}

# (model label, field) -> the heading of its section in the export. Each field is a
# ForeignKey or OneToOneField to Person ("person") or to User (the person's login).
EXPORTED = {
    ("stakeholders.ConsentRecord", "person"): "Consents you gave or withdrew",
    ("stakeholders.EqualityMonitoring", "person"): "Your equality monitoring answers",
    ("stakeholders.BenefitsAnswers", "person"): "What you told us about your benefits",
    ("stakeholders.ErasureRequest", "person"): "Requests to erase your details",
    ("stakeholders.DataExportLog", "person"): "Times your data was exported",
    ("stakeholders.SubjectAccessRequest", "person"): "Requests for a copy of your data",
    ("account.EmailAddress", "user"): "Email addresses of your login",
    ("stakeholders.SigninLink", "person"): "Links we sent you to log in",
    ("mfa.Authenticator", "user"): "Authenticator apps and recovery codes you set up",
}

# (model label, field) -> why it is not exported. These record which member of staff did
# something (or are staff's and commissioners' own records); the rows that are about the
# person are exported through their person field above.
NOT_EXPORTED = {
    ("stakeholders.Person", "user"): "the login itself is exported as the account",
    ("stakeholders.Person", "created_by"): "which staff member added someone",
    ("stakeholders.ConsentRecord", "recorded_by"): "staff audit; the record is exported",
    ("stakeholders.ConsentRecord", "withdrawn_by"): "staff audit; the record is exported",
    ("stakeholders.ErasureRequest", "confirmed_by"): "staff audit",
    ("stakeholders.DataExportLog", "exported_by"): "who exported; rows exported by person",
    ("stakeholders.SubjectAccessRequest", "noted_by"): "staff audit",
    ("stakeholders.SubjectAccessRequest", "answered_by"): "staff audit",
    # Only staff can use the Django admin, so participants have no entries of their own.
    ("admin.LogEntry", "user"): "staff's own admin actions",
    ("stakeholders.Person", "payment_choices_recorded_by"): "shown in the details as staff",
    # Past versions of someone's details are deleted when they are erased.
    ("stakeholders.HistoricalPerson", "user"): "past versions of the details exported above",
    ("stakeholders.HistoricalPerson", "created_by"): "staff audit",
    ("stakeholders.HistoricalPerson", "history_user"): "who changed someone's details",
    ("stakeholders.HistoricalPerson", "payment_choices_recorded_by"): "staff audit",
    ("stakeholders.SigninLink", "user"): "the same links, exported through person",
    ("stakeholders.SigninLink", "sent_by"): "which staff member sent a link",
    ("stakeholders.Person", "bank_details_recorded_by"): "shown in the details as staff",
    ("stakeholders.HistoricalPerson", "bank_details_recorded_by"): "staff audit",
    ("stakeholders.BenefitsAnswers", "recorded_by"): "shown in the answers as staff",
}

# Never exported, even to the person: secrets that would let anyone holding the file in.
SECRET_FIELDS = {"password", "data"}
NOT_HELD = [
    "Evidence records (quotes, stories, feedback) have no link to any person: they are "
    "kept as free text without names, so they cannot be listed here. If you think one is "
    "about you, ask the project team.",
    "Receipts you uploaded are not included in this file; their file names are.",
]
# A subject-access export taken by staff may be printed, posted or emailed: bank details go
# in it masked, as staff see them. Only the person's own download holds them in clear.
MASKED_FOR_STAFF = {
    "bank_sort_code": sort_code_masked,
    "bank_account_number": account_number_masked,
}
BANK_DETAILS_MASKED = (
    "Your bank details are shown with all but the last digits hidden, for their safety. "
    "You can see them in full by downloading your own data when you are logged in."
)


# What the apps above this one do when a person is erased (each is given the person and
# the staff member erasing them, inside the erasure's transaction), and how they tell that
# a person has taken part, so the retention job keeps their roster entry.
ERASERS: list[Callable[[Person, User | None], None]] = []
TAKEN_PART: list[Callable[[Person], bool]] = []
# (model label, field) -> (the rows of that section only the person may see, and the
# sentence that tells staff why they are not in a subject-access export).
HIDDEN_FROM_STAFF: dict[tuple[str, str], tuple[Q, str]] = {}


def personal_data_register(
    *,
    exported: dict[tuple[str, str], str],
    not_exported: dict[tuple[str, str], str],
    erase: Callable[[Person, User | None], None] | None = None,
    taken_part: Callable[[Person], bool] | None = None,
    hidden_from_staff: dict[tuple[str, str], tuple[Q, str]] | None = None,
) -> None:
    """Called once by each app above this one, when Django starts, for its own models."""
    EXPORTED.update(exported)
    NOT_EXPORTED.update(not_exported)
    HIDDEN_FROM_STAFF.update(hidden_from_staff or {})
    if erase is not None:
        ERASERS.append(erase)
    if taken_part is not None:
        TAKEN_PART.append(taken_part)


def person_references() -> set[tuple[str, str]]:
    """Every (model label, field) in coprod that is a ForeignKey or OneToOneField to a
    Person or a User."""
    found = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if (
                field.concrete
                and field.is_relation
                and (field.many_to_one or field.one_to_one)
                and field.related_model in (Person, User)
            ):
                found.add((model._meta.label, field.name))
    return found


# The export ----------------------------------------------------------------------------


def _value(obj: models.Model, field: models.Field, person: Person):
    if field.is_relation:
        related = getattr(obj, field.name)
        if related is None:
            return None
        if isinstance(related, Person):
            return "you" if related.pk == person.pk else "someone else"
        if isinstance(related, User):
            return "you" if related.pk == person.user_id else Role(related.role).label
        if isinstance(related, ConsentWording):
            return {"version": related.version, "text": related.text, "sha256": related.sha256}
        return str(related)
    value = getattr(obj, field.attname)
    if field.choices and value not in (None, ""):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, models.fields.files.FieldFile):
        return value.name.rsplit("/", 1)[-1] if value else ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, PhoneNumber):
        return value.as_e164
    return value


def _fields(model: type[models.Model], *, leave_out: set[str] = frozenset()) -> list:
    return [
        field
        for field in model._meta.concrete_fields
        if not field.primary_key and field.name not in SECRET_FIELDS | leave_out
    ]


def _labels(model: type[models.Model]) -> dict[str, str]:
    return {
        field.name: capfirst(str(field.verbose_name))
        for field in model._meta.get_fields()
        if hasattr(field, "verbose_name")
    }


def person_data_export(person: Person, *, for_staff: bool = False) -> dict:
    """Everything coprod keeps about `person`, for them to read: nobody else's details.

    `for_staff` is a subject-access export taken by staff on the person's behalf: it leaves
    out what only the person may see (how they voted in a secret ballot) and says so."""
    user = person.user
    account = None
    if user is not None:
        account_fields = ["email", "name", "role", "is_active", "date_joined", "last_login"]
        account = {
            name: _value(user, User._meta.get_field(name), person) for name in account_fields
        }
    profile = {field.name: _value(person, field, person) for field in _fields(Person)}
    if for_staff:
        for name, mask in MASKED_FOR_STAFF.items():
            profile[name] = mask(profile[name]) or None
    profile["skills"] = [str(skill) for skill in person.skills.all()]
    sections = []
    for (label, field_name), title in EXPORTED.items():
        model = apps.get_model(label)
        subject = user if model._meta.get_field(field_name).related_model is User else person
        if subject is None:
            continue
        queryset = model._base_manager.filter(**{field_name: subject}).order_by("pk")
        if for_staff and (label, field_name) in HIDDEN_FROM_STAFF:
            queryset = queryset.exclude(HIDDEN_FROM_STAFF[label, field_name][0])
        fields = _fields(model, leave_out={field_name})
        rows = [{field.name: _value(obj, field, person) for field in fields} for obj in queryset]
        sections.append({"key": f"{label}.{field_name}", "title": title, "rows": rows})
    return {
        "about": "Everything coprod keeps about you, as of the time below.",
        "exported_at": timezone.now().isoformat(),
        "account": account,
        "person": profile,
        "records": sections,
        "not_included": NOT_HELD
        + (
            [why for _rows, why in HIDDEN_FROM_STAFF.values()]
            + ([BANK_DETAILS_MASKED] if person.has_bank_details else [])
            if for_staff
            else []
        ),
    }


def _readable(value) -> str:
    if value is None or value == "":
        return "–"
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    if isinstance(value, list):
        return ", ".join(_readable(item) for item in value) or "–"
    if isinstance(value, dict) and value.keys() == {"version", "text", "sha256"}:
        return f"version {value['version']}: “{value['text']}” (SHA-256 {value['sha256']})"
    if isinstance(value, dict):
        return "; ".join(f"{capfirst(str(key))}: {_readable(item)}" for key, item in value.items())
    return str(value)


def export_as_page(export: dict) -> dict:
    """The export as label and value pairs, for the readable page."""

    def pairs(row: dict, labels: dict) -> list[tuple[str, str]]:
        return [(labels.get(name, capfirst(name)), _readable(value)) for name, value in row.items()]

    return {
        "exported_at": datetime.fromisoformat(export["exported_at"]),
        "account": pairs(export["account"], _labels(User)) if export["account"] else None,
        "person": pairs(export["person"], _labels(Person)),
        "records": [
            {
                "title": section["title"],
                "rows": [
                    pairs(row, _labels(apps.get_model(section["key"].rsplit(".", 1)[0])))
                    for row in section["rows"]
                ],
            }
            for section in export["records"]
        ],
        "not_included": export["not_included"],
    }


def data_export_record(
    *, person: Person, exported_by: User, kind: str, note: str = ""
) -> DataExportLog:
    """Log one export of someone's personal data: who took it, whose it was, when."""
    log = DataExportLog(person=person, exported_by=exported_by, kind=kind, note=note.strip())
    log.full_clean()
    log.save()
    return log


def subject_access_request_record(
    *, person: Person, received_on: date, channel: str, noted_by: User
) -> SubjectAccessRequest:
    """Note a request for a copy of someone's data: the legal month runs from the day it
    arrived, not the day it is noted. Raises ValidationError (nothing saved) for a day in
    the future or a request already noted and waiting."""
    request = SubjectAccessRequest(
        person=person, received_on=received_on, channel=channel, noted_by=noted_by
    )
    request.full_clean()
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:
        # Noted twice at the same moment: the first one stands.
        raise ValidationError(SUBJECT_ACCESS_NOTED_TWICE) from None
    return request


def subject_access_request_answer_oldest(
    *, person: Person, answered_by: User
) -> SubjectAccessRequest | None:
    """Taking the export answers the request that has waited longest; None if none waits."""
    waiting = SubjectAccessRequest.objects.filter(person=person, answered_at=None)
    while (oldest := waiting.order_by("received_on", "pk").first()) is not None:
        # Claimed atomically: two colleagues exporting at once answer two requests, not one.
        if waiting.filter(pk=oldest.pk).update(answered_at=timezone.now(), answered_by=answered_by):
            oldest.refresh_from_db()
            return oldest
    return None


# Erasure -------------------------------------------------------------------------------


class ErasureError(Exception):
    pass


def erasure_request_make(*, person: Person) -> ErasureRequest:
    """Ask for erasure; asking again while a request waits changes nothing."""
    if Person.objects.filter(pk=person.pk).exclude(erased_at=None).exists():
        raise ErasureError("These details have already been erased.")
    pending = ErasureRequest.objects.filter(person=person, confirmed_at=None)
    try:
        with transaction.atomic():
            return pending.first() or ErasureRequest.objects.create(person=person)
    except IntegrityError:
        # The same request sent twice at once: the first one stands.
        return pending.get()


def erasure_confirm(*, request: ErasureRequest, confirmed_by: User) -> ErasureRequest:
    """Staff confirm a waiting request: the person's details are erased at once."""
    with transaction.atomic():
        claimed = ErasureRequest.objects.filter(pk=request.pk, confirmed_at=None).update(
            confirmed_at=timezone.now(), confirmed_by=confirmed_by
        )
        if not claimed:
            raise ErasureError("This request has already been confirmed.")
        person_erase(person=request.person, erased_by=confirmed_by)
    request.refresh_from_db()
    return request


def _identifiers(person: Person) -> dict[str, str]:
    """What could name the person in free text, and what replaces it."""
    found = {person.full_name: ERASED_NAME}
    if person.preferred_name:
        found[person.preferred_name] = ERASED_NAME
    if person.email:
        found[person.email] = "[email removed]"
    if person.phone:
        found[person.phone.as_e164] = "[phone removed]"
        found[person.phone.as_national] = "[phone removed]"
        found[person.phone.as_international] = "[phone removed]"
    if person.user is not None:
        if person.user.name:
            found[person.user.name] = ERASED_NAME
        if person.user.email:
            found[person.user.email] = "[email removed]"
    return {text: new for text, new in found.items() if len(text) >= SHORTEST_SCRUBBED}


def _free_text_columns() -> dict[type[models.Model], list[str]]:
    """Every model's columns that people write into: text, neither a key nor a choice."""
    found = {}
    for model in apps.get_models(include_auto_created=True):
        columns = [
            field.name
            for field in model._meta.concrete_fields
            if isinstance(field, models.CharField | models.TextField)
            and not field.choices
            and not field.primary_key
        ]
        if columns:
            found[model] = columns
    return found


def _mention(text: str) -> re.Pattern:
    """`text` as a whole mention: "pat@example.org" is not inside "other.pat@example.org",
    nor "Pat Smith" inside "Pat Smithson"."""
    return re.compile(rf"(?<![\w.%+-]){re.escape(text)}(?![\w-]|\.\w)", re.IGNORECASE)


def _scrub_free_text(identifiers: dict[str, str]) -> None:
    """Replace the person's name, email and phone wherever staff wrote them in free text
    (minutes, actions, reasons, past versions of records), in every table."""
    # Longest first, so "Pat Smith" goes whole before "Pat" alone is looked for.
    patterns = [
        (_mention(text), new)
        for text, new in sorted(identifiers.items(), key=lambda item: -len(item[0]))
    ]
    for model, columns in _free_text_columns().items():
        mentions = Q()
        for column in columns:
            for text in identifiers:
                mentions |= Q(**{f"{column}__icontains": text})
        for pk, *values in model._base_manager.filter(mentions).values_list("pk", *columns):
            changes = {}
            for column, value in zip(columns, values, strict=True):
                # A phone number column (past versions of details) reads as a PhoneNumber.
                value = str(value) if value else value
                scrubbed = value
                for pattern, new in patterns:
                    scrubbed = pattern.sub(new, scrubbed or "")
                if value and scrubbed != value:
                    changes[column] = scrubbed
            if changes:
                model._base_manager.filter(pk=pk).update(**changes)


def _scrub_admin_log(person: Person) -> None:
    """The admin's log names the objects it touched; those about this person lose the name."""
    owned = {Person: [person.pk]}
    for label, field_name in EXPORTED:
        model = apps.get_model(label)
        if field_name == "person" and not label.split(".")[1].startswith("Historical"):
            owned[model] = list(
                model._base_manager.filter(person=person).values_list("pk", flat=True)
            )
    for model, pks in owned.items():
        if pks:
            LogEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(model),
                object_id__in=[str(pk) for pk in pks],
            ).update(object_repr=f"{capfirst(model._meta.verbose_name)} of an erased person")


def person_erase(*, person: Person, erased_by: User | None) -> Person:
    """Wipe what identifies `person`, keeping what counts and totals need.

    Attendance, payments, claims, votes and who took part in decisions keep their rows, so
    every report and financial total stays the same; votes and decision participation lose
    their link to the person; payments and claims keep amount, dates, reference and
    project, and now show "Erased person". Erasing twice changes nothing.
    """
    with transaction.atomic():
        person = (
            Person.objects.select_for_update(of=("self",)).select_related("user").get(pk=person.pk)
        )
        if person.erased_at:
            return person
        identifiers = _identifiers(person)
        for kind in ConsentKind:
            consent_withdraw(person=person, kind=kind, withdrawn_by=erased_by)
        EqualityMonitoring.objects.filter(person=person).delete()
        BenefitsAnswers.objects.filter(person=person).delete()
        # Each holds the address or number a sign-in link went to.
        SigninLink.objects.filter(person=person).delete()
        person.skills.clear()
        for field in Person._meta.concrete_fields:
            if field.name not in KEPT_ON_ERASURE:
                setattr(person, field.attname, field.get_default())
        person.full_name = ERASED_NAME
        person.erased_at = timezone.now()
        # Past versions hold every detail erased here; only the erased version is kept.
        person.history.all().delete()
        person.save()
        _scrub_admin_log(person)
        for erase in ERASERS:
            erase(person, erased_by)
        if person.user is not None:
            _erase_login(person.user)
        _scrub_free_text(identifiers)
    return person


def _erase_login(user: User) -> None:
    EmailAddress.objects.filter(user=user).delete()
    apps.get_model("mfa", "Authenticator").objects.filter(user=user).delete()
    user.set_unusable_password()
    User.objects.filter(pk=user.pk).update(
        email=f"erased-{uuid.uuid4().hex}@{ERASED_EMAIL_DOMAIN}",
        name="",
        is_active=False,
        password=user.password,
    )
    sessions_end_for_user(user)


# Retention -----------------------------------------------------------------------------


def _has_taken_part(person: Person) -> bool:
    return any(taken_part(person) for taken_part in TAKEN_PART)


def unconfirmed_signups_delete(*, now: datetime | None = None) -> int:
    """Delete logins whose email was never confirmed within the retention period, with
    their roster entry unless that person has since taken part (then only the login goes).
    Returns how many logins were deleted."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.COPROD_UNCONFIRMED_SIGNUP_DAYS)
    addresses = EmailAddress.objects.filter(user=OuterRef("pk"))
    stale = (
        User.objects.filter(role=Role.PARTICIPANT, date_joined__lt=cutoff)
        .filter(Exists(addresses.filter(verified=False)))
        .exclude(Exists(addresses.filter(verified=True)))
    )
    deleted = 0
    for user in stale.iterator():
        with transaction.atomic():
            person = Person.objects.filter(user=user).first()
            # Only an entry the sign-up itself made goes; one staff added before stays.
            made_by_signup = person is not None and person.created_by_id == user.pk
            if made_by_signup and not _has_taken_part(person):
                person_pk = person.pk
                person.delete()
                # Deleting leaves a last version with every detail; it goes too.
                Person.history.filter(id=person_pk).delete()
            user.delete()
        deleted += 1
    return deleted


def equality_without_consent_delete() -> int:
    """Equality answers are held only while their consent stands; delete any left over."""
    standing = ConsentRecord.objects.filter(
        person=OuterRef("person"), kind=ConsentKind.EQUALITY, withdrawn_at=None
    )
    deleted, _ = EqualityMonitoring.objects.exclude(Exists(standing)).delete()
    return deleted


def retention_apply(*, now: datetime | None = None) -> dict[str, int]:
    removed = {
        "unconfirmed_signups": unconfirmed_signups_delete(now=now),
        "equality_answers": equality_without_consent_delete(),
    }
    if any(removed.values()):
        # Rows deleted in bulk send no signal: cached pages must not show them any more.
        data_changed()
    return removed


# Reads for the staff pages -------------------------------------------------------------


def erasure_requests_waiting() -> list[ErasureRequest]:
    return list(ErasureRequest.objects.filter(confirmed_at=None).select_related("person"))


def erasure_requests_done_page(*, page_number) -> Page:
    done = ErasureRequest.objects.exclude(confirmed_at=None).select_related("confirmed_by")
    return Paginator(done.order_by("-confirmed_at", "-pk"), PAGE_SIZE).get_page(page_number)


def export_log_page(*, page_number, person: Person | None = None) -> Page:
    logs = DataExportLog.objects.select_related("person", "exported_by")
    if person is not None:
        logs = logs.filter(person=person)
    return Paginator(logs, PAGE_SIZE).get_page(page_number)
