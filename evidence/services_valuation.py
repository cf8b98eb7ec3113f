"""Writes for the valuation: outcomes, staff time, optimism bias, and the organisation's own
unit values imported from a CSV file (all of it or none of it)."""

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from evidence.models import (
    Beneficiary,
    Confidence,
    StaffTime,
    UnitValue,
    ValuationOutcome,
    ValuationSettings,
)
from projects.models import Project

OUTCOME_FIELDS = (
    "name",
    "unit_value",
    "quantity_source",
    "quantity",
    "quantity_note",
    "question",
    "deadweight",
    "attribution",
    "displacement",
    "drop_off",
    "duration",
)


def valuation_outcome_save(
    *, project: Project, outcome: ValuationOutcome | None = None, created_by=None, **fields
) -> ValuationOutcome:
    if outcome is None:
        outcome = ValuationOutcome(project=project, created_by=created_by)
    for name in OUTCOME_FIELDS:
        setattr(outcome, name, fields[name])
    outcome.full_clean()
    outcome.save()
    return outcome


def valuation_outcome_delete(*, outcome: ValuationOutcome) -> None:
    outcome.delete()


def staff_time_add(
    *, project: Project, recorded_by, worked_on, what: str, hours: Decimal, hourly_cost: Decimal
) -> StaffTime:
    entry = StaffTime(
        project=project,
        recorded_by=recorded_by,
        worked_on=worked_on,
        what=what,
        hours=hours,
        hourly_cost=hourly_cost,
    )
    entry.full_clean()
    entry.save()
    return entry


def staff_time_delete(*, entry: StaffTime) -> None:
    entry.delete()


def optimism_bias_save(*, project: Project, optimism_bias: Decimal) -> ValuationSettings:
    settings, _ = ValuationSettings.objects.get_or_create(project=project)
    settings.optimism_bias = optimism_bias
    settings.full_clean()
    settings.save(update_fields=["optimism_bias"])
    return settings


# Importing the organisation's unit-cost table --------------------------------------------

IMPORT_MAX_BYTES = 1024 * 1024
IMPORT_MAX_ROWS = 1000
IMPORT_COLUMNS = [
    "name",
    "unit",
    "value",
    "low",
    "high",
    "price_year",
    "beneficiary",
    "confidence",
    "source",
    "source_url",
    "licence",
]
REQUIRED_COLUMNS = ["name", "unit", "value", "price_year", "beneficiary", "confidence", "source"]
IMPORT_EXAMPLE = {
    "name": "Rough sleeping: cost of one person sleeping rough for a year",
    "unit": "one person for one year",
    "value": "12260",
    "low": "",
    "high": "",
    "price_year": "2023",
    "beneficiary": "fiscal",
    "confidence": "medium",
    "source": "Our licensed copy of the Greater Manchester unit cost database, 2023",
    "source_url": "",
    "licence": "Licensed to our organisation until March 2027",
}
MONEY_FIELDS = ("value", "low", "high")
# Spreadsheet files are zip (xlsx, ods) or OLE (xls) archives.
SPREADSHEET_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
SAVE_AS_CSV = (
    "In your spreadsheet program choose Save As, pick “CSV UTF-8 (comma delimited)”, and "
    "upload that file."
)


class UnitValueFileError(Exception):
    """The whole file cannot be read; the message says why in plain English."""


@dataclass
class UnitValueImport:
    added: int = 0
    # (line number in the file, what is wrong), for every line with a problem.
    errors: list[tuple[int, str]] = field(default_factory=list)


def _choice(text: str, choices) -> str | None:
    """A choice by its value or by the start of its label ("Public purse" → fiscal)."""
    wanted = text.strip().casefold()
    for value, label in choices.choices:
        if wanted in (value, label.casefold()) or label.casefold().startswith(f"{wanted} "):
            return value
    return None


def _money(text: str) -> Decimal | None:
    cleaned = text.strip().replace(",", "").removeprefix("£")
    if not cleaned:
        return None
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError from None
    if not amount.is_finite():
        raise ValueError
    return amount


def _records(content: bytes) -> list[tuple[int, dict[str, str]]]:
    if not content.strip():
        raise UnitValueFileError("The file is empty.")
    if len(content) > IMPORT_MAX_BYTES:
        raise UnitValueFileError("The file is larger than 1 MB. Split it into smaller files.")
    if content.startswith(SPREADSHEET_SIGNATURES):
        raise UnitValueFileError(
            f"This looks like a spreadsheet workbook, not a CSV file. {SAVE_AS_CSV}"
        )
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnitValueFileError(f"This file is not saved as UTF-8 text. {SAVE_AS_CSV}") from None
    if "\x00" in text:
        raise UnitValueFileError("This file contains binary data, so it is not a CSV file.")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        headings = [heading.strip().casefold().replace(" ", "_") for heading in next(reader, [])]
        lines = [(reader.line_num, record) for record in reader]
    except csv.Error:
        raise UnitValueFileError(
            f"Line {reader.line_num} could not be read as CSV. Check it for a stray quotation mark."
        ) from None
    unknown = [heading for heading in headings if heading and heading not in IMPORT_COLUMNS]
    if unknown:
        raise UnitValueFileError(
            f"The file has columns coprod does not know: {', '.join(unknown[:5])}. The columns "
            f"are: {', '.join(IMPORT_COLUMNS)}."
        )
    missing = [name for name in REQUIRED_COLUMNS if name not in headings]
    if missing:
        raise UnitValueFileError(
            f"The first line must be the column headings. These are missing: {', '.join(missing)}."
        )
    records = []
    for line, record in lines:
        cells = [cell.strip() for cell in record]
        if not any(cells):
            continue
        records.append(
            (
                line,
                {
                    heading: cells[position] if position < len(cells) else ""
                    for position, heading in enumerate(headings)
                    if heading
                },
            )
        )
    if not records:
        raise UnitValueFileError("The file has column headings but no unit values under them.")
    if len(records) > IMPORT_MAX_ROWS:
        raise UnitValueFileError(
            f"The file has more than {IMPORT_MAX_ROWS:,} unit values. Split it into smaller files."
        )
    return records


def _unit_value_from(row: dict[str, str], created_by) -> tuple[UnitValue | None, list[str]]:
    problems = []
    amounts = {}
    for name in MONEY_FIELDS:
        try:
            amounts[name] = _money(row.get(name, ""))
        except ValueError:
            problems.append(f"the {name} value is not an amount of money, like 1250 or 1250.50")
    if "value" in amounts and amounts["value"] is None:
        problems.append("enter the central value")
    year_text = row.get("price_year", "")
    price_year = int(year_text) if year_text.isdigit() and len(year_text) == 4 else None
    if price_year is None:
        problems.append("the price year must be a year, like 2023")
    beneficiary = _choice(row.get("beneficiary", ""), Beneficiary)
    if beneficiary is None:
        problems.append("who benefits must be fiscal, economic or social")
    confidence = _choice(row.get("confidence", ""), Confidence)
    if confidence is None:
        problems.append("the confidence must be high, medium or low")
    if problems:
        return None, problems
    unit_value = UnitValue(
        name=row.get("name", ""),
        unit=row.get("unit", ""),
        value=amounts["value"],
        low=amounts["low"],
        high=amounts["high"],
        price_year=price_year,
        beneficiary=beneficiary,
        confidence=confidence,
        source=row.get("source", ""),
        source_url=row.get("source_url", ""),
        licence=row.get("licence", ""),
        created_by=created_by,
    )
    try:
        unit_value.full_clean(validate_unique=False)
    except ValidationError as invalid:
        for name, messages in invalid.message_dict.items():
            label = name.replace("_", " ") if name != "__all__" else "the line"
            problems.extend(f"{label}: {message}" for message in messages)
        return None, problems
    return unit_value, []


def unit_values_import(*, content: bytes, created_by) -> UnitValueImport:
    """Every line is checked; if any has a problem nothing is saved and each problem is
    reported with its line number. Raises UnitValueFileError if the file cannot be read."""
    outcome = UnitValueImport()
    records = _records(content)
    existing = {name.casefold() for name in UnitValue.objects.values_list("name", flat=True)}
    seen: dict[str, int] = {}
    unit_values = []
    for line, row in records:
        unit_value, problems = _unit_value_from(row, created_by)
        key = row.get("name", "").strip().casefold()
        if key in existing:
            problems.append(f"a unit value called “{row['name']}” is already in coprod")
        elif key and key in seen:
            problems.append(f"line {seen[key]} has the same name")
        seen.setdefault(key, line)
        if problems:
            outcome.errors.append((line, "; ".join(problems).capitalize() + "."))
        else:
            unit_values.append(unit_value)
    if outcome.errors:
        return outcome
    try:
        with transaction.atomic():
            UnitValue.objects.bulk_create(unit_values)
    except IntegrityError:
        outcome.errors.append(
            (
                0,
                "Someone added a unit value with one of these names meanwhile. "
                "Upload the file again.",
            )
        )
        return outcome
    outcome.added = len(unit_values)
    return outcome
