"""Importing people into a project's roster from a CSV file, all or nothing.

The file is read (`roster_file_read`), then its rows are checked and imported a chunk at a
time (`roster_import_people`): each chunk looks up who it may match, and saves what it adds,
in a fixed number of queries however many rows it has, so a file of 50,000 people imports
in well under a minute. The background job around this is in roster_import_jobs.
"""

import csv
import functools
import io
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connections, router, transaction
from django.db.models import Model, Q
from django.db.models.base import ModelState
from django.db.models.constants import OnConflict
from django.db.models.functions import Lower
from django.db.models.signals import post_init, pre_init
from django.utils import timezone
from phonenumber_field.phonenumber import PhoneNumber
from phonenumbers import NumberParseException
from simple_history.utils import bulk_update_with_history

from coprod.core.pagecache import data_changed
from projects.models import Membership, MembershipStatus, Project
from projects.models.imports import PreviewRow, RowError
from stakeholders.models import (
    AccessNeed,
    Availability,
    ConsentKind,
    ConsentMethod,
    ConsentRecord,
    ContactMethod,
    Person,
    Skill,
    StakeholderGroup,
    User,
)
from stakeholders.people_count import people_recount
from stakeholders.services import consent_wording_current

logger = logging.getLogger(__name__)


MAX_BYTES = 20 * 1024 * 1024
MAX_SIZE_IN_WORDS = "20 MB"


# Rows checked, and saved, together: lookups and inserts are per chunk, never per row.
CHUNK_ROWS = 1000


COLUMNS = [
    "full_name",
    "preferred_name",
    "email",
    "phone",
    "stakeholder_group",
    "preferred_contact",
    "access_needs",
    "availability",
    "skills",
    "in_pool",
    "consent",
]


REQUIRED_COLUMNS = ["full_name", "consent"]


EXAMPLE_ROW = {
    "full_name": "Jo Bloggs",
    "preferred_name": "Jo",
    "email": "jo.bloggs@example.org",
    "phone": "07400 123456",
    "stakeholder_group": "Carer or family member",
    "preferred_contact": "phone",
    "access_needs": "BSL interpreter; step-free",
    "availability": "Weekday mornings; Weekends",
    "skills": "Gardening; Listening",
    "in_pool": "yes",
    "consent": "paper",
}


IMPORT_CONSENT_METHODS = [ConsentMethod.PAPER, ConsentMethod.PHONE, ConsentMethod.IN_PERSON]


# Spreadsheet files are zip (xlsx, ods) or OLE (xls) archives.
SPREADSHEET_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")


ADDED_MEANWHILE = (
    "someone with this email address or phone number was added to the roster while the file "
    "was being imported. Upload the file again to match them"
)


TOO_BIG = f"The file is larger than {MAX_SIZE_IN_WORDS}. Split it into smaller files."


class RosterFileError(Exception):
    """The upload cannot be read as a roster file; the message says why in plain English."""


@dataclass(frozen=True)
class RosterFile:
    columns: list[str]
    rows: list[list[str]]
    # The spreadsheet row of each row (the headings are row 1), so errors point at the row
    # staff see when they open the file.
    row_numbers: list[int]

    def __len__(self) -> int:
        return len(self.rows)


def _normalise(text: str) -> str:
    return " ".join(re.sub(r"[-_]", " ", text.casefold()).split())


def _quote(value: str, limit: int = 40) -> str:
    value = value.strip()
    return f"'{value[:limit]}…'" if len(value) > limit else f"'{value}'"


def _header_name(heading: str) -> str:
    return _normalise(heading).replace(" ", "_")


def roster_file_read(content: bytes) -> RosterFile:
    """Parse an uploaded CSV file. Raises RosterFileError with a message for staff."""
    if not content.strip():
        raise RosterFileError("The file is empty.")
    if len(content) > MAX_BYTES:
        raise RosterFileError(TOO_BIG)
    if content.startswith(SPREADSHEET_SIGNATURES):
        raise RosterFileError(
            "This looks like a spreadsheet workbook, not a CSV file. In your spreadsheet "
            "program choose Save As, pick “CSV UTF-8 (comma delimited)”, and upload that file."
        )
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RosterFileError(
            "This file is not a CSV file saved as UTF-8 text. In your spreadsheet program "
            "choose Save As, pick “CSV UTF-8 (comma delimited)”, and upload that file."
        ) from None
    if "\x00" in text:
        raise RosterFileError("This file contains binary data, so it is not a CSV file.")

    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        headings = next(reader, [])
        records = list(reader)
    except csv.Error:
        raise RosterFileError(
            f"Line {reader.line_num} of the file could not be read as CSV. "
            "Check it for a stray quotation mark."
        ) from None

    columns = _columns_from_headings(headings)
    positions = {position for position, _ in columns}
    rows, row_numbers = [], []
    for index, record in enumerate(records, start=2):
        cells = [cell.strip() for cell in record]
        if not any(cells):
            continue
        values = [cells[position] if position < len(cells) else "" for position, _ in columns]
        if any(cell for position, cell in enumerate(cells) if position not in positions):
            raise RosterFileError(
                f"Row {index} has a value in a column without a heading. Every column needs "
                "one of the headings listed on this page."
            )
        rows.append(values)
        row_numbers.append(index)
    if not rows:
        raise RosterFileError("The file has column headings but nobody in it.")
    return RosterFile(columns=[name for _, name in columns], rows=rows, row_numbers=row_numbers)


def _columns_from_headings(headings: list[str]) -> list[tuple[int, str]]:
    """(position, column name) for each heading, checked against the columns we know."""
    columns = [
        (position, _header_name(heading))
        for position, heading in enumerate(headings)
        if heading.strip()
    ]
    names = [name for _, name in columns]
    known = ", ".join(COLUMNS)
    if not names:
        raise RosterFileError(f"The first row must be the column headings: {known}.")
    unknown = [name for name in names if name not in COLUMNS]
    if unknown:
        listed = ", ".join(_quote(name) for name in unknown[:5])
        raise RosterFileError(
            f"The file has columns coprod does not know: {listed}. The columns are: {known}. "
            "The first row must be the column headings, separated by commas."
        )
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise RosterFileError(f"These columns appear more than once: {', '.join(repeated)}.")
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        raise RosterFileError(f"The file needs these columns: {', '.join(missing)}.")
    if "email" not in names and "phone" not in names:
        raise RosterFileError("The file needs an email column, a phone column, or both.")
    return columns


class TextWidget:
    def clean(self, value: str) -> str:
        return (value or "").strip()


class EmailWidget:
    def clean(self, value: str) -> str:
        email = (value or "").strip()
        if not email:
            return ""
        try:
            validate_email(email)
        except ValidationError:
            raise ValueError(f"{_quote(email)} is not a valid email address") from None
        return email.lower()


class CheckedPhoneNumber(PhoneNumber):
    """A phone number that works out whether it is valid once. phonenumbers takes a
    quarter of a millisecond to do so, and django-phonenumber-field does it again each
    time a number is printed, compared, tested for being empty or saved: for a file of
    50,000 people that was most of the import's time."""

    _valid: bool | None = None
    _formatted: dict | None = None

    def is_valid(self) -> bool:
        if self._valid is None:
            self._valid = super().is_valid()
        return self._valid

    def format_as(self, format) -> str:
        # Formatting takes as long again, and a number is formatted each time it is looked
        # up, compared, printed or saved; nothing changes a parsed number.
        if self._formatted is None:
            self._formatted = {}
        if format not in self._formatted:
            self._formatted[format] = super().format_as(format)
        return self._formatted[format]


# A row's phone number is read by the lookups, the identity check and the cell check.
@functools.lru_cache(maxsize=4 * CHUNK_ROWS)
def phone_parse(value: str) -> PhoneNumber | None:
    """The number in one format (UK unless it starts with a country code), or None."""
    text = value.strip()
    if not text:
        return None
    try:
        number = CheckedPhoneNumber.from_string(text, region="GB")
    except NumberParseException:
        return None
    return number if number.is_valid() else None


class PhoneWidget:
    def clean(self, value: str) -> PhoneNumber | str:
        text = (value or "").strip()
        if not text:
            return ""
        number = phone_parse(text)
        if number is None:
            raise ValueError(
                f"{_quote(text)} is not a valid UK phone number. Numbers from other "
                "countries need their country code, such as +353 1 234 5678"
            )
        return number


class ChoiceWidget:
    """One of a set of choices, given as its value or its label in any case."""

    def __init__(self, choices, *, noun: str, aliases: dict | None = None, prefix: str = ""):
        self.noun = noun
        self.labels = [choice.label for choice in choices]
        self.lookup = {}
        for choice in choices:
            for name in (choice.value, choice.value.removeprefix(prefix), choice.label):
                self.lookup[_normalise(name)] = choice.value
        for alias, choice in (aliases or {}).items():
            self.lookup[_normalise(alias)] = choice.value

    def choice(self, text: str) -> str:
        try:
            return self.lookup[_normalise(text)]
        except KeyError:
            raise ValueError(
                f"{_quote(text)} is not {self.noun} coprod knows. "
                f"Use one of: {', '.join(self.labels)}"
            ) from None

    def clean(self, value: str) -> str:
        text = (value or "").strip()
        return self.choice(text) if text else ""


class ChoiceListWidget(ChoiceWidget):
    """Several choices separated by semicolons."""

    def clean(self, value: str) -> list[str]:
        parts = [part.strip() for part in (value or "").split(";")]
        return list(dict.fromkeys(self.choice(part) for part in parts if part))


class ConsentWidget:
    lookup = {
        **{_normalise(method.value): method.value for method in IMPORT_CONSENT_METHODS},
        **{_normalise(method.label): method.value for method in IMPORT_CONSENT_METHODS},
        "on paper": ConsentMethod.PAPER,
        "by phone": ConsentMethod.PHONE,
        "face to face": ConsentMethod.IN_PERSON,
    }

    def clean(self, value: str) -> str:
        text = (value or "").strip()
        if not text:
            raise ValueError(
                "say how this person gave consent for us to hold their details: "
                "paper, phone or in_person"
            )
        if _normalise(text) == ConsentMethod.ONLINE:
            raise ValueError(
                "online consent is given by the person themselves when they sign up on the "
                "web; for people added from a file use paper, phone or in_person"
            )
        try:
            return self.lookup[_normalise(text)]
        except KeyError:
            raise ValueError(f"{_quote(text)} is not paper, phone or in_person") from None


class YesNoWidget:
    ANSWERS = {
        **dict.fromkeys(["yes", "y", "true", "1"], True),
        **dict.fromkeys(["no", "n", "false", "0"], False),
    }

    def clean(self, value: str) -> bool:
        text = _normalise(value or "")
        if not text:
            return False
        if text not in self.ANSWERS:
            raise ValueError(f"{_quote(value)} is not yes or no")
        return self.ANSWERS[text]


class NameListWidget:
    """Names separated by semicolons; the same name twice (in any case) counts once."""

    def __init__(self, *, max_length: int):
        self.max_length = max_length

    def clean(self, value: str) -> list[str]:
        names = {}
        for part in (value or "").split(";"):
            name = " ".join(part.split())
            if len(name) > self.max_length:
                raise ValueError(
                    f"{_quote(name)} is longer than {self.max_length} characters; "
                    "use a shorter name for the skill"
                )
            if name:
                names.setdefault(name.casefold(), name)
        return list(names.values())


ACCESS_NEED_ALIASES = {
    "BSL interpreter": AccessNeed.BSL,
    "sign language": AccessNeed.BSL,
    "sign language interpreter": AccessNeed.BSL,
    "wheelchair access": AccessNeed.STEP_FREE,
    "induction loop": AccessNeed.HEARING_LOOP,
    "quiet room": AccessNeed.QUIET_SPACE,
}


GROUP_ALIASES = {
    "family member": StakeholderGroup.CARER,
    "voluntary organisation": StakeholderGroup.COMMUNITY_ORG,
    "community organisation": StakeholderGroup.COMMUNITY_ORG,
}


CONTACT_ALIASES = {"call": ContactMethod.PHONE, "sms": ContactMethod.TEXT}


# Fields of Person a file sets; the model's own checks run on these only, as the rest are
# either new defaults or what is already on the roster.
KEPT_FIELDS = [
    "full_name",
    "preferred_name",
    "email",
    "phone",
    "stakeholder_group",
    "preferred_contact",
]
ACCESS_NEED_FIELDS = [need.value for need in AccessNeed]
AVAILABILITY_FIELDS = [time.value for time in Availability]
PERSON_FIELDS = [*KEPT_FIELDS, *ACCESS_NEED_FIELDS, *AVAILABILITY_FIELDS, "in_pool"]
MODEL_CHECKED_FIELDS = ["full_name", "preferred_name", "email"]


def _blank(value) -> bool:
    """Empty, without asking a phone number whether it is empty (which formats it)."""
    return value is None or (isinstance(value, str) and not value)


CHANGED_MEANWHILE = (
    "The roster changed while the file was being imported, so nothing has been imported. "
    "Upload the file again."
)


@dataclass(frozen=True)
class ImportOutcome:
    rows: list[PreviewRow]
    errors: list[RowError]

    @property
    def new_count(self) -> int:
        return sum(row.is_new for row in self.rows)

    @property
    def matched_count(self) -> int:
        return len(self.rows) - self.new_count

    @property
    def error_rows_count(self) -> int:
        return len({error.row for error in self.errors})


@dataclass
class _CheckedRow:
    """One row of the file, checked: the person it adds or adds to, and what else it does."""

    spreadsheet_row: int
    name_in_file: str
    person: Person
    is_new: bool = True
    matched_name: str | None = None
    changed_fields: set[str] = field(default_factory=set)
    skills: list[str] = field(default_factory=list)
    consent_method: str = ""
    notes: list[str] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)

    def add_error(self, column: str, message: str) -> None:
        self.errors.setdefault(column, []).append(message)

    def row_errors(self) -> list[RowError]:
        return [
            RowError(self.spreadsheet_row, column if column in COLUMNS else None, message)
            for column in sorted(self.errors, key=_column_order)
            for message in self.errors[column]
        ]

    def preview(self) -> PreviewRow:
        return PreviewRow(self.spreadsheet_row, self.name_in_file, self.matched_name, self.notes)


def _column_order(column: str) -> int:
    return COLUMNS.index(column) if column in COLUMNS else -1


class RosterImport:
    """Checks a file's rows, and saves them, a chunk at a time. It remembers across chunks
    which email addresses, phone numbers and roster entries earlier rows used, so a person
    twice in the file is found wherever the two rows are."""

    cells = {
        "full_name": TextWidget(),
        "preferred_name": TextWidget(),
        "email": EmailWidget(),
        "phone": PhoneWidget(),
        "stakeholder_group": ChoiceWidget(
            StakeholderGroup, noun="a stakeholder group", aliases=GROUP_ALIASES
        ),
        "preferred_contact": ChoiceWidget(
            ContactMethod, noun="a way to contact people", aliases=CONTACT_ALIASES
        ),
        "access_needs": ChoiceListWidget(
            AccessNeed, noun="an access need", aliases=ACCESS_NEED_ALIASES, prefix="needs_"
        ),
        "availability": ChoiceListWidget(
            Availability, noun="a time", aliases={"weekend": Availability.WEEKENDS}, prefix="free_"
        ),
        "skills": NameListWidget(max_length=Skill._meta.get_field("name").max_length),
        "in_pool": YesNoWidget(),
        "consent": ConsentWidget(),
    }

    def __init__(self, *, project: Project, recorded_by: User, columns: list[str]):
        self.project = project
        self.recorded_by = recorded_by
        self.columns = columns
        # The first spreadsheet row of each email, phone and roster entry seen in the file.
        self.rows_by_key: dict[str, int] = {}
        self.rows_by_person: dict[int, int] = {}
        # Who the current chunk may match, looked up for the whole chunk at once.
        self.people_by_email: dict[str, Person] = {}
        self.people_by_phone: dict[str, Person] = {}
        # People whose login has not confirmed the email on their roster entry: anyone can
        # type an address when signing up, so nothing from a file is merged into theirs.
        self.unconfirmed: set[int] = set()
        self.memberships: dict[int, Membership] = {}
        self.skills_by_name: dict[str, Skill] = {}
        self.wording = None
        self._person_template: dict | None = None
        self._fresh_fields: list = []

    def run(
        self, roster_file: RosterFile, *, save: bool, on_progress: Callable[[int], None] | None
    ) -> ImportOutcome:
        """Every row checked; with `save`, saved too, until the first problem (the caller
        rolls back), after which the rest are still checked so every problem is listed."""
        if save:
            self.wording = consent_wording_current(kind=ConsentKind.INVOLVEMENT)
        previews, errors = [], []
        numbered = list(zip(roster_file.row_numbers, roster_file.rows, strict=True))
        for start in range(0, len(numbered), CHUNK_ROWS):
            rows, chunk_errors = self.check_chunk(numbered[start : start + CHUNK_ROWS])
            errors += chunk_errors
            if save and not errors:
                errors += self.save_chunk(rows)
            previews += [row.preview() for row in rows]
            if on_progress:
                on_progress(min(start + CHUNK_ROWS, len(numbered)))
        if errors:
            return ImportOutcome(rows=[], errors=errors)
        return ImportOutcome(rows=previews, errors=[])

    def check_chunk(
        self, chunk: list[tuple[int, list[str]]]
    ) -> tuple[list[_CheckedRow], list[RowError]]:
        """The chunk's rows that are fine, and the problems in the others."""
        records = [
            (number, dict(zip(self.columns, values, strict=True))) for number, values in chunk
        ]
        self._look_up(records)
        checked, errors = [], []
        for number, record in records:
            row = self._check_row(number, record)
            if row.errors:
                errors += row.row_errors()
            else:
                checked.append(row)
        return checked, errors

    def _look_up(self, records: list[tuple[int, dict[str, str]]]) -> None:
        """Everyone the chunk might match, in at most three queries.

        People added by earlier rows of the same file are not looked for by later rows: a
        later row with the same email or phone is reported as the same person instead."""
        emails = {record.get("email", "").strip().lower() for _, record in records}
        emails.discard("")
        numbers = [phone_parse(record.get("phone", "")) for _, record in records]
        phones = [number for number in numbers if number is not None]
        people = []
        if emails or phones:
            people = list(
                Person.objects.annotate(email_lower=Lower("email")).filter(
                    Q(email_lower__in=emails) | Q(phone__in=phones)
                )
            )
        self.people_by_email = {person.email_lower: person for person in people if person.email}
        self.people_by_phone = {
            person.phone.as_e164: person for person in people if not _blank(person.phone)
        }
        users = [person.user_id for person in people if person.user_id]
        confirmed = set()
        if users:
            confirmed = {
                (user_id, email.lower())
                for user_id, email in EmailAddress.objects.filter(
                    user__in=users, verified=True
                ).values_list("user_id", "email")
            }
        self.unconfirmed = {
            person.pk
            for person in people
            if person.user_id and (person.user_id, person.email.lower()) not in confirmed
        }
        self.memberships = {}
        if people:
            self.memberships = {
                membership.person_id: membership
                for membership in Membership.objects.filter(
                    project=self.project, person__in=[person.pk for person in people]
                )
            }

    def _check_row(self, spreadsheet_row: int, record: dict[str, str]) -> _CheckedRow:
        match, row = self._check_identity(spreadsheet_row, record)
        person = match or self._new_person()
        before = {name: getattr(person, name) for name in PERSON_FIELDS}
        cleaned = {}
        for column, cell in self.cells.items():
            try:
                cleaned[column] = cell.clean(record.get(column, ""))
            except ValueError as error:
                row.add_error(column, str(error))
        for name in KEPT_FIELDS:
            value = cleaned.get(name)
            if not _blank(value) and (match is None or _blank(getattr(person, name))):
                setattr(person, name, value)
        for name in [*cleaned.get("access_needs", []), *cleaned.get("availability", [])]:
            setattr(person, name, True)
        if cleaned.get("in_pool"):
            person.in_pool = True
        row.skills = cleaned.get("skills", [])
        row.consent_method = cleaned.get("consent", "")
        if "full_name" not in row.errors and not person.full_name:
            row.add_error("full_name", "every row needs a full name")
        if match is None and "preferred_contact" not in row.errors:
            self._check_preferred_contact(person, record, row)
        self._check_model_fields(person, row)
        row.person = person
        if match is not None:
            row.is_new = False
            row.matched_name = match.full_name
            row.changed_fields = {
                name for name in PERSON_FIELDS if getattr(person, name) != before[name]
            }
        return row

    def _new_person(self) -> Person:
        """What Person(created_by=the importer) makes, a hundred times as fast: a copy of
        one made at the start, with its own public id and creation time (the fields whose
        default is made afresh for each person). Nothing listens for Person's init signals.
        Person() alone took 170 µs, 17 s of checking and importing a file of 50,000."""
        if self._person_template is None:
            self._person_template = Person(created_by_id=self.recorded_by.pk).__dict__
            self._fresh_fields = [
                model_field
                for model_field in Person._meta.concrete_fields
                if model_field.has_default() and callable(model_field.default)
            ]
        person = Person.__new__(Person)
        person.__dict__.update(self._person_template)
        person._state = ModelState()
        for model_field in self._fresh_fields:
            setattr(person, model_field.attname, model_field.get_default())
        return person

    def _check_identity(
        self, spreadsheet_row: int, record: dict[str, str]
    ) -> tuple[Person | None, _CheckedRow]:
        """Who this row is: someone on the roster, someone new, or an earlier row again."""
        row = _CheckedRow(spreadsheet_row, record.get("full_name", "").strip(), person=None)
        email = record.get("email", "").strip().lower()
        phone_text = record.get("phone", "").strip()
        if not email and not phone_text:
            row.add_error("email", "every row needs an email address or a phone number")
            return None, row
        phone = phone_parse(phone_text) if phone_text else None
        phone_key = phone.as_e164 if phone is not None else None

        keys = [("email", f"email:{email}")] if email else []
        if phone_key:
            keys.append(("phone", f"phone:{phone_key}"))
        for column, key in keys:
            if key in self.rows_by_key:
                row.add_error(column, f"same person as row {self.rows_by_key[key]}")
            else:
                self.rows_by_key[key] = spreadsheet_row
        if row.errors:
            return None, row

        by_email = self.people_by_email.get(email) if email else None
        by_phone = self.people_by_phone.get(phone_key) if phone_key else None
        if by_email and by_phone and by_email != by_phone:
            row.add_error(
                "phone",
                f"this phone number belongs to {by_phone.full_name} on the roster, but the "
                f"email address belongs to {by_email.full_name}. Check which is right",
            )
            return None, row
        match = by_email or by_phone
        if match is None:
            return None, row
        column = "email" if by_email else "phone"
        if match.erased_at:
            row.add_error(
                column,
                "this matches someone whose details were erased at their request, so they "
                "cannot be added from a file",
            )
        elif match.pk in self.unconfirmed:
            row.add_error(
                column,
                f"this matches {match.full_name}, who signed up online but has not yet "
                "confirmed their email address, so nothing can be added to their entry from "
                "a file until they do",
            )
        elif match.pk in self.rows_by_person:
            row.add_error(column, f"same person as row {self.rows_by_person[match.pk]}")
        else:
            row.notes = self._notes_for_match(match, email, phone)
            self.rows_by_person[match.pk] = spreadsheet_row
            return match, row
        return None, row

    def _notes_for_match(self, match: Person, email: str, phone: PhoneNumber | None) -> list:
        notes = []
        if email and match.email and match.email != email:
            notes.append(f"Keeps the email address on the roster ({match.email}).")
        if phone is not None and not _blank(match.phone) and match.phone.as_e164 != phone.as_e164:
            notes.append(f"Keeps the phone number on the roster ({match.phone}).")
        membership = self.memberships.get(match.pk)
        if membership:
            notes.append(f"Already on this project ({membership.get_status_display().lower()}).")
        return notes

    def _check_preferred_contact(self, person: Person, record: dict, row: _CheckedRow) -> None:
        if not record.get("preferred_contact", "").strip():
            person.preferred_contact = ContactMethod.EMAIL if person.email else ContactMethod.PHONE
        elif person.preferred_contact == ContactMethod.EMAIL and not person.email:
            row.add_error("preferred_contact", "email was chosen, but the row has no email address")
        elif person.preferred_contact in (ContactMethod.PHONE, ContactMethod.TEXT) and _blank(
            person.phone
        ):
            row.add_error(
                "preferred_contact",
                f"{person.preferred_contact} was chosen, but the row has no phone number",
            )

    def _check_model_fields(self, person: Person, row: _CheckedRow) -> None:
        """The model's own checks on the values the file sets that the cells' checks leave
        open (how long a name may be), in the model's words. The cells checked the choices
        and the phone number; who is already on the roster with this email or phone was
        looked up for the chunk (and the database constraints still refuse a duplicate
        added meanwhile)."""
        for name in MODEL_CHECKED_FIELDS:
            if name in row.errors:
                continue
            try:
                Person._meta.get_field(name).clean(getattr(person, name), person)
            except ValidationError as error:
                for message in error.messages:
                    row.add_error(name, message)

    def save_chunk(self, rows: list[_CheckedRow]) -> list[RowError]:
        """Save a chunk of checked rows in a fixed number of queries. A row whose person
        someone else added meanwhile is reported, and nothing of the chunk is saved."""
        try:
            with transaction.atomic():
                self._save_people(rows)
                self._save_skills(rows)
                self._save_consents(rows)
                _insert(
                    Membership,
                    _instances(
                        Membership,
                        [
                            {
                                "project_id": self.project.pk,
                                "person_id": row.person.pk,
                                "status": MembershipStatus.INTERESTED,
                            }
                            for row in rows
                            if row.person.pk not in self.memberships
                        ],
                    ),
                    ignore_conflicts=True,
                )
        except IntegrityError:
            return self._added_meanwhile(rows)
        return []

    def _save_people(self, rows: list[_CheckedRow]) -> None:
        matched = [row for row in rows if not row.is_new]
        standing = set()
        if matched:
            standing = set(
                ConsentRecord.objects.filter(
                    person__in=[row.person.pk for row in matched],
                    kind=ConsentKind.INVOLVEMENT,
                    withdrawn_at=None,
                ).values_list("person_id", flat=True)
            )
        for row in rows:
            if row.is_new or row.person.pk not in standing:
                row.person.involvement_consent_given = True
                row.changed_fields.add("involvement_consent_given")
            else:
                # Consent already stands: it is not recorded again.
                row.consent_method = ""
        new = [row.person for row in rows if row.is_new]
        if new:
            _insert(Person, new)
            _history_of_new_people(new, recorded_by=self.recorded_by)
        changed = [row for row in matched if row.changed_fields]
        if changed:
            bulk_update_with_history(
                [row.person for row in changed],
                Person,
                fields=sorted(set().union(*(row.changed_fields for row in changed))),
                default_user=self.recorded_by,
            )

    def _save_skills(self, rows: list[_CheckedRow]) -> None:
        # A new skill is named as its first row spells it.
        names: dict[str, str] = {}
        for row in rows:
            for name in row.skills:
                names.setdefault(name.lower(), name)
        missing = [key for key in names if key not in self.skills_by_name]
        if missing:
            self._remember_skills(names, missing)
            unknown = [names[key] for key in missing if key not in self.skills_by_name]
            if unknown:
                Skill.objects.bulk_create(
                    [Skill(name=name) for name in unknown], ignore_conflicts=True
                )
                self._remember_skills(names, missing)
        _insert(
            Person.skills.through,
            _instances(
                Person.skills.through,
                [
                    {"person_id": row.person.pk, "skill_id": self._skill(name).pk}
                    for row in rows
                    for name in row.skills
                ],
            ),
            ignore_conflicts=True,
        )

    def _remember_skills(self, names: dict[str, str], keys: list[str]) -> None:
        # Lower() in SQLite changes only ASCII letters, so exact names are asked for too.
        found = Skill.objects.annotate(name_lower=Lower("name")).filter(
            Q(name_lower__in=keys) | Q(name__in=[names[key] for key in keys])
        )
        for skill in found:
            self.skills_by_name.setdefault(skill.name.lower(), skill)

    def _skill(self, name: str) -> Skill:
        return self.skills_by_name[name.lower()]

    def _save_consents(self, rows: list[_CheckedRow]) -> None:
        _insert(
            ConsentRecord,
            _instances(
                ConsentRecord,
                [
                    {
                        "person_id": row.person.pk,
                        "kind": ConsentKind.INVOLVEMENT,
                        "wording_id": self.wording.pk,
                        "method": row.consent_method,
                        "recorded_by_id": self.recorded_by.pk,
                    }
                    for row in rows
                    if row.consent_method
                ],
            ),
        )

    def _added_meanwhile(self, rows: list[_CheckedRow]) -> list[RowError]:
        """The rows whose email or phone someone else put on the roster while this file was
        being imported; or, if none, one problem for the whole file."""
        for row in rows:
            if row.is_new:
                row.person.pk = None
        new = [row for row in rows if row.is_new]
        emails = {row.person.email for row in new if row.person.email}
        phones = {row.person.phone.as_e164 for row in new if not _blank(row.person.phone)}
        taken = Person.objects.annotate(email_lower=Lower("email")).filter(
            Q(email_lower__in=emails) | Q(phone__in=phones)
        )
        taken_emails = {person.email.lower() for person in taken if person.email}
        taken_phones = {person.phone.as_e164 for person in taken if not _blank(person.phone)}
        errors = [
            RowError(row.spreadsheet_row, None, ADDED_MEANWHILE)
            for row in new
            if (row.person.email and row.person.email in taken_emails)
            or (not _blank(row.person.phone) and row.person.phone.as_e164 in taken_phones)
        ]
        return errors or [RowError(None, None, CHANGED_MEANWHILE)]


def _instances(model: type[Model], rows: list[dict]) -> list[Model]:
    """model(**values) for each row's values, several times as fast: copies of one made
    with the defaults, each with its own value of any field whose default is made afresh
    (a time, an id). For models whose init signals nobody listens to."""
    if not rows:
        return []
    assert not pre_init.has_listeners(model) and not post_init.has_listeners(model)
    template = model().__dict__
    fresh = [
        model_field
        for model_field in model._meta.concrete_fields
        if model_field.has_default() and callable(model_field.default)
    ]
    made = []
    for values in rows:
        obj = model.__new__(model)
        obj.__dict__.update(template)
        obj._state = ModelState()
        for model_field in fresh:
            setattr(obj, model_field.attname, model_field.get_default())
        for name, value in values.items():
            setattr(obj, name, value)
        made.append(obj)
    return made


# Values that are the same for many rows (defaults, choices, yes or no) are prepared for
# the database once per insert; anything else (names, dates, ids) for each row.
_PREPARED_ONCE = (str, bool, int, type(None))


def _insert(model: type[Model], objs: list[Model], *, ignore_conflicts: bool = False) -> None:
    """Insert new objects as `model.objects.bulk_create(objs, ignore_conflicts=...)` does, in
    the same number of queries, with the same values, setting each object's primary key
    (unless conflicts are ignored). Django's bulk_create prepares every value of every row
    on its own, through several method calls; for 50,000 people of 37 columns that was most
    of an import's time. The models given have no fields set on save (auto_now) and no
    signals are sent, as with bulk_create."""
    if not objs:
        return
    connection = connections[router.db_for_write(model)]
    opts = model._meta
    fields = [field for field in opts.concrete_fields if not field.db_returning]
    assert not any(
        getattr(model_field, "auto_now", False) or getattr(model_field, "auto_now_add", False)
        for model_field in fields
    ), f"{model.__name__} sets fields on save"
    columns = []
    for model_field in fields:
        prepared: dict = {}
        values = []
        for obj in objs:
            value = getattr(obj, model_field.attname)
            if type(value) in _PREPARED_ONCE:
                key = (type(value), value)
                if key not in prepared:
                    prepared[key] = model_field.get_db_prep_save(value, connection)
                values.append(prepared[key])
            else:
                values.append(model_field.get_db_prep_save(value, connection))
        columns.append(values)
    rows = list(zip(*columns, strict=True))

    quote = connection.ops.quote_name
    on_conflict = OnConflict.IGNORE if ignore_conflicts else None
    returning = not ignore_conflicts and connection.features.can_return_rows_from_bulk_insert
    one_row = f"({', '.join(['%s'] * len(fields))})"
    batch = connection.ops.bulk_batch_size(fields, objs) or len(objs)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            part = rows[start : start + batch]
            sql = " ".join(
                filter(
                    None,
                    [
                        connection.ops.insert_statement(on_conflict=on_conflict),
                        f"{quote(opts.db_table)} ({', '.join(quote(f.column) for f in fields)})",
                        f"VALUES {', '.join([one_row] * len(part))}",
                        connection.ops.on_conflict_suffix_sql(fields, on_conflict, None, None),
                        f"RETURNING {quote(opts.pk.column)}" if returning else "",
                    ],
                )
            )
            cursor.execute(sql, [value for row in part for value in row])
            if returning:
                for obj, (pk,) in zip(objs[start : start + batch], cursor.fetchall(), strict=True):
                    obj.pk = pk
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias


def _history_of_new_people(people: list[Person], *, recorded_by: User) -> None:
    """A history row for each person just added ("+", by the staff member importing the
    file), in one query: the database copies the rows it has just stored. This writes what
    simple_history's bulk_create_with_history writes, without building a second model object
    and preparing its 43 values in Python for each person, which was a third of the time a
    large file took to import."""
    history = Person.history.model
    tracked = history.tracked_fields
    extra = ["history_date", "history_change_reason", "history_type", "history_user"]
    connection = connections[router.db_for_write(Person)]
    quote = connection.ops.quote_name
    targets = [history._meta.get_field(field.name).column for field in tracked]
    targets += [history._meta.get_field(name).column for name in extra]
    sources = [quote(field.column) for field in tracked] + ["%s"] * len(extra)
    # Only the models' table and column names are in the text; every value is a parameter.
    sql = (
        f"INSERT INTO {quote(history._meta.db_table)} ({', '.join(map(quote, targets))}) "  # noqa: S608
        f"SELECT {', '.join(sources)} FROM {quote(Person._meta.db_table)} "
        f"WHERE {quote(Person._meta.pk.column)} IN ({', '.join(['%s'] * len(people))})"
    )
    params = [
        connection.ops.adapt_datetimefield_value(timezone.now()),
        None,
        "+",
        recorded_by.pk,
        *[person.pk for person in people],
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def roster_import_people(
    *,
    roster_file: RosterFile,
    project: Project,
    recorded_by: User,
    dry_run: bool,
    on_progress: Callable[[int], None] | None = None,
) -> ImportOutcome:
    """Import the file's people into the project's roster, all or nothing.

    With dry_run, every row is checked and nothing saved: the preview. Otherwise every row
    is checked again (the roster may have changed since) and saved, in one transaction that
    is rolled back if any row has a problem. Each person imported ends with a standing
    involvement consent (recorded by `recorded_by`, by the method in the file) and a
    membership of the project. `on_progress` is called with the rows done after each chunk.
    """
    importer = RosterImport(project=project, recorded_by=recorded_by, columns=roster_file.columns)
    if dry_run:
        return importer.run(roster_file, save=False, on_progress=on_progress)
    with transaction.atomic():
        outcome = importer.run(roster_file, save=True, on_progress=on_progress)
        if outcome.errors:
            transaction.set_rollback(True)
        else:
            # People inserted in bulk send no signals; counted last, so the kept count's
            # lock is held only while the import commits.
            people_recount()
    if not outcome.errors:
        # Bulk saves send no signals, so cached page parts are told here.
        transaction.on_commit(data_changed)
    return outcome
