import csv
import io
import logging
import re
from dataclasses import dataclass, field

import tablib
from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError
from django.db.models import Q
from django.db.models.functions import Lower
from import_export import fields, resources, widgets
from import_export.results import Result, RowResult
from phonenumber_field.phonenumber import PhoneNumber, to_python

from projects.models import Membership, Project
from projects.services.memberships import membership_express_interest
from stakeholders.models import (
    AccessNeed,
    Availability,
    ConsentKind,
    ConsentMethod,
    ContactMethod,
    Person,
    Skill,
    StakeholderGroup,
    User,
)
from stakeholders.services import consent_give

logger = logging.getLogger(__name__)


MAX_BYTES = 2 * 1024 * 1024


# Each row is checked twice (preview, then import) inside one web request; 1,000 rows
# stay well inside the web server's time limit on a small machine.
MAX_ROWS = 1000


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


class RosterFileError(Exception):
    """The upload cannot be read as a roster file; the message says why in plain English."""


@dataclass(frozen=True)
class RosterFile:
    dataset: tablib.Dataset
    # The spreadsheet row of each dataset row (the headings are row 1), so errors point
    # at the row staff see when they open the file.
    row_numbers: list[int]


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
        raise RosterFileError("The file is larger than 2 MB. Split it into smaller files.")
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
    if len(rows) > MAX_ROWS:
        raise RosterFileError(
            f"The file has more than {MAX_ROWS:,} people in it. Split it into smaller files."
        )
    return RosterFile(
        dataset=tablib.Dataset(*rows, headers=[name for _, name in columns]),
        row_numbers=row_numbers,
    )


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


class TextWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs) -> str:
        return (value or "").strip()


class EmailWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs) -> str:
        email = (value or "").strip()
        if not email:
            return ""
        try:
            validate_email(email)
        except ValidationError:
            raise ValueError(f"{_quote(email)} is not a valid email address") from None
        return email.lower()


def phone_parse(value: str) -> PhoneNumber | None:
    """The number in one format (UK unless it starts with a country code), or None."""
    number = to_python(value.strip(), region="GB") if value.strip() else None
    return number if number and number.is_valid() else None


class PhoneWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs) -> PhoneNumber | str:
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


class ChoiceWidget(widgets.Widget):
    """One of a set of choices, given as its value or its label in any case."""

    def __init__(self, choices, *, noun: str, aliases: dict | None = None, prefix: str = ""):
        super().__init__()
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

    def clean(self, value, row=None, **kwargs) -> str:
        text = (value or "").strip()
        return self.choice(text) if text else ""


class ChoiceListWidget(ChoiceWidget):
    """Several choices separated by semicolons."""

    def clean(self, value, row=None, **kwargs) -> list[str]:
        parts = [part.strip() for part in (value or "").split(";")]
        return list(dict.fromkeys(self.choice(part) for part in parts if part))


class ConsentWidget(widgets.Widget):
    lookup = {
        **{_normalise(method.value): method.value for method in IMPORT_CONSENT_METHODS},
        **{_normalise(method.label): method.value for method in IMPORT_CONSENT_METHODS},
        "on paper": ConsentMethod.PAPER,
        "by phone": ConsentMethod.PHONE,
        "face to face": ConsentMethod.IN_PERSON,
    }

    def clean(self, value, row=None, **kwargs) -> str:
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


class YesNoWidget(widgets.Widget):
    ANSWERS = {
        **dict.fromkeys(["yes", "y", "true", "1"], True),
        **dict.fromkeys(["no", "n", "false", "0"], False),
    }

    def clean(self, value, row=None, **kwargs) -> bool:
        text = _normalise(value or "")
        if not text:
            return False
        if text not in self.ANSWERS:
            raise ValueError(f"{_quote(value)} is not yes or no")
        return self.ANSWERS[text]


class NameListWidget(widgets.Widget):
    """Names separated by semicolons; the same name twice (in any case) counts once."""

    def __init__(self, *, max_length: int):
        super().__init__()
        self.max_length = max_length

    def clean(self, value, row=None, **kwargs) -> list[str]:
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


class KeepExistingField(fields.Field):
    """Sets the value on a new person; on someone already on the roster only fills a blank,
    so an import never overwrites what is there."""

    def save(self, instance, row, is_m2m=False, **kwargs) -> None:
        cleaned = self.clean(row, **kwargs)
        if cleaned in ("", None):
            return
        if instance._state.adding or not getattr(instance, self.attribute):
            setattr(instance, self.attribute, cleaned)


class AddOnlyFlagsField(fields.Field):
    """A list of Person boolean field names to switch on; none is ever switched off."""

    def save(self, instance, row, is_m2m=False, **kwargs) -> None:
        for name in self.clean(row, **kwargs):
            setattr(instance, name, True)


class InPoolField(fields.Field):
    """'yes' puts a person in the pool; 'no' leaves someone already there where they are."""

    def save(self, instance, row, is_m2m=False, **kwargs) -> None:
        if self.clean(row, **kwargs):
            instance.in_pool = True


class CheckedOnlyField(fields.Field):
    """Checked with the rest of the row; acted on after the person is saved."""

    def save(self, instance, row, is_m2m=False, **kwargs) -> None:
        self.clean(row, **kwargs)


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


@dataclass
class _RowCheck:
    """What was found out about one row before it is imported."""

    spreadsheet_row: int
    name_in_file: str
    match: Person | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add_error(self, column: str, message: str) -> None:
        self.errors.setdefault(column, []).append(message)


class PersonRowResult(RowResult):
    """A row's result, with what the preview shows about it."""

    def __init__(self):
        super().__init__()
        self.spreadsheet_row = None
        self.name_in_file = ""
        self.notes = []


class PersonImportResource(resources.ModelResource):
    full_name = KeepExistingField("full_name", "full_name", widget=TextWidget())
    preferred_name = KeepExistingField("preferred_name", "preferred_name", widget=TextWidget())
    email = KeepExistingField("email", "email", widget=EmailWidget())
    phone = KeepExistingField("phone", "phone", widget=PhoneWidget())
    stakeholder_group = KeepExistingField(
        "stakeholder_group",
        "stakeholder_group",
        widget=ChoiceWidget(StakeholderGroup, noun="a stakeholder group", aliases=GROUP_ALIASES),
    )
    preferred_contact = KeepExistingField(
        "preferred_contact",
        "preferred_contact",
        widget=ChoiceWidget(ContactMethod, noun="a way to contact people", aliases=CONTACT_ALIASES),
    )
    access_needs = AddOnlyFlagsField(
        "access_needs",
        "access_needs",
        widget=ChoiceListWidget(
            AccessNeed, noun="an access need", aliases=ACCESS_NEED_ALIASES, prefix="needs_"
        ),
    )
    availability = AddOnlyFlagsField(
        "availability",
        "availability",
        widget=ChoiceListWidget(
            Availability, noun="a time", aliases={"weekend": Availability.WEEKENDS}, prefix="free_"
        ),
    )
    skills = CheckedOnlyField(
        "skills",
        "skills",
        widget=NameListWidget(max_length=Skill._meta.get_field("name").max_length),
    )
    in_pool = InPoolField("in_pool", "in_pool", widget=YesNoWidget())
    consent = CheckedOnlyField("consent", "consent", widget=ConsentWidget())

    class Meta:
        model = Person
        fields = COLUMNS
        import_order = COLUMNS
        clean_model_instances = True
        use_transactions = True
        # A diff would read the skills of people not saved yet; the preview does not show one.
        skip_diff = True
        store_instance = True

    def __init__(self, *, project: Project, recorded_by: User, row_numbers: list[int]):
        super().__init__()
        self.project = project
        self.recorded_by = recorded_by
        self.row_numbers = row_numbers
        # The first spreadsheet row of each email, phone and roster entry seen in the file.
        self.rows_by_key: dict[str, int] = {}
        self.rows_by_person: dict[int, int] = {}
        self.check: _RowCheck | None = None
        self.people_by_email: dict[str, Person] = {}
        # People whose login has not confirmed the email on their roster entry: anyone can
        # type an address when signing up, so nothing from a file is merged into theirs.
        self.unconfirmed: set[int] = set()
        self.people_by_phone: dict[str, Person] = {}
        self.memberships: dict[int, Membership] = {}
        self.skills_by_name: dict[str, Skill] = {}

    @classmethod
    def get_row_result_class(cls):
        return PersonRowResult

    def spreadsheet_row(self, row_number: int) -> int:
        return self.row_numbers[row_number - 1]

    def before_import(self, dataset, **kwargs) -> None:
        """Look up everyone the file might match in a few queries, not a few per row.

        People added by earlier rows of the same file are not looked up: a later row with
        the same email or phone is reported as the same person instead."""
        headers = dataset.headers or []
        emails = (
            {cell.strip().lower() for cell in dataset["email"]} if "email" in headers else set()
        )
        phones = (
            {number.as_e164 for cell in dataset["phone"] if (number := phone_parse(cell))}
            if "phone" in headers
            else set()
        )
        emails.discard("")
        people = list(
            Person.objects.annotate(email_lower=Lower("email")).filter(
                Q(email_lower__in=emails) | Q(phone__in=phones)
            )
        )
        self.people_by_email = {person.email_lower: person for person in people if person.email}
        self.people_by_phone = {person.phone.as_e164: person for person in people if person.phone}
        confirmed = {
            (user_id, email.lower())
            for user_id, email in EmailAddress.objects.filter(
                user__in=[person.user_id for person in people if person.user_id], verified=True
            ).values_list("user_id", "email")
        }
        self.unconfirmed = {
            person.pk
            for person in people
            if person.user_id and (person.user_id, person.email.lower()) not in confirmed
        }
        self.memberships = {
            membership.person_id: membership
            for membership in Membership.objects.filter(project=self.project, person__in=people)
        }

    def before_import_row(self, row, **kwargs) -> None:
        self.check = self._check_identity(row, self.spreadsheet_row(kwargs["row_number"]))

    def _check_identity(self, row, spreadsheet_row: int) -> _RowCheck:
        """Who this row is: someone on the roster, someone new, or an earlier row again."""
        check = _RowCheck(spreadsheet_row, (row.get("full_name") or "").strip())
        email = (row.get("email") or "").strip().lower()
        phone_text = (row.get("phone") or "").strip()
        if not email and not phone_text:
            check.add_error("email", "every row needs an email address or a phone number")
            return check
        phone = phone_parse(phone_text) if phone_text else None

        keys = [("email", f"email:{email}")] if email else []
        if phone:
            keys.append(("phone", f"phone:{phone.as_e164}"))
        for column, key in keys:
            if key in self.rows_by_key:
                check.add_error(column, f"same person as row {self.rows_by_key[key]}")
            else:
                self.rows_by_key[key] = spreadsheet_row
        if check.errors:
            return check

        by_email = self.people_by_email.get(email) if email else None
        by_phone = self.people_by_phone.get(phone.as_e164) if phone else None
        if by_email and by_phone and by_email != by_phone:
            check.add_error(
                "phone",
                f"this phone number belongs to {by_phone.full_name} on the roster, but the "
                f"email address belongs to {by_email.full_name}. Check which is right",
            )
            return check
        match = by_email or by_phone
        if match is None:
            return check
        if match.erased_at:
            check.add_error(
                "email" if by_email else "phone",
                "this matches someone whose details were erased at their request, so they "
                "cannot be added from a file",
            )
        elif match.pk in self.unconfirmed:
            check.add_error(
                "email" if by_email else "phone",
                f"this matches {match.full_name}, who signed up online but has not yet "
                "confirmed their email address, so nothing can be added to their entry from "
                "a file until they do",
            )
        elif match.pk in self.rows_by_person:
            check.add_error(
                "email" if by_email else "phone",
                f"same person as row {self.rows_by_person[match.pk]}",
            )
        else:
            check.match = match
            check.notes = self._notes_for_match(match, email, phone)
            self.rows_by_person[match.pk] = spreadsheet_row
        return check

    def _notes_for_match(self, match: Person, email: str, phone: PhoneNumber | None) -> list:
        notes = []
        if email and match.email and match.email != email:
            notes.append(f"Keeps the email address on the roster ({match.email}).")
        if phone and match.phone and match.phone != phone:
            notes.append(f"Keeps the phone number on the roster ({match.phone}).")
        membership = self.memberships.get(match.pk)
        if membership:
            notes.append(f"Already on this project ({membership.get_status_display().lower()}).")
        return notes

    def get_instance(self, instance_loader, row) -> Person | None:
        return self.check.match

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """The model's own checks on each value, as ModelResource does them, without the
        checks that query the database for every row: who is already on the roster with
        this email or phone was checked for the whole file in `before_import` (and the
        database constraints still refuse a duplicate added meanwhile), created_by is the
        importing user, and public_id is new."""
        errors = {
            column: list(messages) for column, messages in (import_validation_errors or {}).items()
        }
        try:
            instance.full_clean(
                exclude={*errors, "created_by"}, validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def after_init_instance(self, instance, new, row, **kwargs) -> None:
        if new:
            instance.created_by = self.recorded_by

    def import_instance(self, instance, row, **kwargs) -> None:
        errors = {column: list(messages) for column, messages in self.check.errors.items()}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if "full_name" not in errors and not instance.full_name:
            errors["full_name"] = ["every row needs a full name"]
        if instance._state.adding and "preferred_contact" not in errors:
            self._check_preferred_contact(instance, row, errors)
        if errors:
            raise ValidationError(errors)

    def _check_preferred_contact(self, instance: Person, row, errors: dict) -> None:
        if not (row.get("preferred_contact") or "").strip():
            instance.preferred_contact = (
                ContactMethod.EMAIL if instance.email else ContactMethod.PHONE
            )
        elif instance.preferred_contact == ContactMethod.EMAIL and not instance.email:
            errors["preferred_contact"] = ["email was chosen, but the row has no email address"]
        elif (
            instance.preferred_contact in (ContactMethod.PHONE, ContactMethod.TEXT)
            and not instance.phone
        ):
            errors["preferred_contact"] = [
                f"{instance.preferred_contact} was chosen, but the row has no phone number"
            ]

    def after_save_instance(self, instance, row, **kwargs) -> None:
        # import_data runs each row in a savepoint, which a failure here rolls back.
        names = self.fields["skills"].clean(row) if "skills" in row else []
        skills = [self._skill(name) for name in names]
        if skills:
            instance.skills.add(*skills)
        consent_give(
            person=instance,
            kind=ConsentKind.INVOLVEMENT,
            method=self.fields["consent"].clean(row),
            recorded_by=self.recorded_by,
        )
        if instance.pk not in self.memberships:
            membership_express_interest(person=instance, project=self.project)

    def _skill(self, name: str) -> Skill:
        key = name.casefold()
        if key not in self.skills_by_name:
            self.skills_by_name[key] = (
                Skill.objects.filter(name__iexact=name).first()
                or Skill.objects.get_or_create(name=name)[0]
            )
        return self.skills_by_name[key]

    def after_import_row(self, row, row_result, **kwargs) -> None:
        row_result.spreadsheet_row = self.check.spreadsheet_row
        row_result.name_in_file = self.check.name_in_file
        row_result.notes = self.check.notes

    def after_import(self, dataset, result, **kwargs) -> None:
        """Do nothing. ModelResource resets the primary key sequence here, which is only
        needed when a file sets primary keys (ours never does) and, with other requests
        inserting people at the same time, could hand out a key that is already taken."""


@dataclass(frozen=True)
class RowError:
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        if self.column is None:
            return f"Row {self.row}: {self.message}"
        return f"Row {self.row}: {self.column} — {self.message}"


@dataclass(frozen=True)
class PreviewRow:
    row: int
    name_in_file: str
    matched_name: str | None
    notes: list[str]

    @property
    def is_new(self) -> bool:
        return self.matched_name is None


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


def roster_import_people(
    *, roster_file: RosterFile, project: Project, recorded_by: User, dry_run: bool
) -> ImportOutcome:
    """Import the file's people into the project's roster, all or nothing.

    With dry_run, everything is done and then rolled back, so the preview is exactly what
    the real import will do. Each person imported ends with a standing involvement consent
    (recorded by `recorded_by`, by the method in the file) and a membership of the project.
    """
    resource = PersonImportResource(
        project=project, recorded_by=recorded_by, row_numbers=roster_file.row_numbers
    )
    result = resource.import_data(
        roster_file.dataset,
        dry_run=dry_run,
        raise_errors=False,
        use_transactions=True,
        rollback_on_validation_errors=True,
    )
    errors = _errors(result, resource)
    if errors:
        return ImportOutcome(rows=[], errors=errors)
    rows = [
        PreviewRow(
            row=row_result.spreadsheet_row,
            name_in_file=row_result.name_in_file,
            matched_name=None if row_result.is_new() else row_result.instance.full_name,
            notes=row_result.notes,
        )
        for row_result in result.rows
    ]
    return ImportOutcome(rows=rows, errors=[])


def _errors(result: Result, resource: PersonImportResource) -> list[RowError]:
    errors = []
    for error in result.base_errors:
        logger.error("Roster import failed", exc_info=error.error)
        errors.append(
            RowError(None, None, "The file could not be imported because of a problem in coprod.")
        )
    for invalid in result.invalid_rows:
        row = resource.spreadsheet_row(invalid.number)
        for column, messages in invalid.error_dict.items():
            shown = column if column in COLUMNS else None
            for message in messages:
                errors.append(RowError(row, shown, message))
    for error_row in result.error_rows:
        row = resource.spreadsheet_row(error_row.number)
        if any(isinstance(error.error, IntegrityError) for error in error_row.errors):
            # Someone else added this person between the file's checks and this row's save.
            errors.append(RowError(row, None, ADDED_MEANWHILE))
            continue
        for error in error_row.errors:
            logger.error("Roster import row failed", exc_info=error.error)
        errors.append(
            RowError(row, None, "this row could not be saved because of a problem in coprod")
        )
    return sorted(errors, key=_error_order)


def _error_order(error: RowError) -> tuple[int, int]:
    return (error.row or 0, COLUMNS.index(error.column) if error.column else -1)
