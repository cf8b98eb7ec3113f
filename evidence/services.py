"""Writes for evidence, the impact summary, the learning library and report grants."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models.fields.files import FieldFile

from decisions.models import Decision
from evidence.models import (
    EvidenceRecord,
    ImpactSummary,
    LearningEntry,
    OutcomeValue,
    ReportGrant,
    Tag,
)
from evidence.services_report_figures import report_figures_forget
from projects.models import Project
from stakeholders.models import User

TAG_MAX_LENGTH = Tag._meta.get_field("name").max_length


def _delete_file_after_commit(file: FieldFile) -> None:
    """A file goes only once the row that named it is gone for good."""
    if file:
        storage, name = file.storage, file.name
        transaction.on_commit(lambda: storage.delete(name))


def evidence_create(
    *,
    project: Project,
    kind: str,
    created_by: User,
    decisions: Iterable[Decision] | None = None,
    **fields,
) -> EvidenceRecord:
    record = EvidenceRecord(project=project, kind=kind, created_by=created_by, **fields)
    record.full_clean()
    with transaction.atomic():
        record.save()
        if decisions is not None:
            record.decisions.set(decisions)
    return record


def evidence_update(
    *, record: EvidenceRecord, decisions: Iterable[Decision] | None = None, **fields
) -> EvidenceRecord:
    """Change a record; a new document replaces the old file, which is then deleted."""
    replaced = None
    new_document = fields.pop("document", None)
    if new_document:
        replaced = record.document if record.document else None
        record.document = new_document
    for name, value in fields.items():
        setattr(record, name, value)
    record.full_clean()
    with transaction.atomic():
        record.save()
        if decisions is not None:
            record.decisions.set(decisions)
        if replaced is not None:
            _delete_file_after_commit(replaced)
        report_figures_forget(project_id=record.project_id)
    return record


def evidence_delete(*, record: EvidenceRecord) -> None:
    with transaction.atomic():
        document = record.document
        project_id = record.project_id
        record.delete()
        _delete_file_after_commit(document)
        report_figures_forget(project_id=project_id)


def outcome_value_add(*, record: EvidenceRecord, value: Decimal, measured_on: date) -> OutcomeValue:
    reading = OutcomeValue(record=record, value=value, measured_on=measured_on)
    reading.full_clean()
    reading.save()
    return reading


def impact_summary_save(*, project: Project, **fields) -> ImpactSummary:
    summary, _ = ImpactSummary.objects.get_or_create(project=project)
    for name, value in fields.items():
        setattr(summary, name, value)
    summary.full_clean()
    summary.save()
    return summary


def tag_names_from_text(text: str) -> list[str]:
    """ "Online, carers ,online" → ["online", "carers"]: lower case, each once, in order."""
    names = []
    for part in text.split(","):
        name = " ".join(part.split()).lower()
        if name and name not in names:
            names.append(name)
    return names


def learning_entry_create(
    *,
    created_by: User,
    tag_names: Iterable[str] = (),
    project: Project | None = None,
    **fields,
) -> LearningEntry:
    entry = LearningEntry(created_by=created_by, project=project, **fields)
    entry.full_clean()
    with transaction.atomic():
        entry.save()
        tags = [Tag.objects.get_or_create(name=name)[0] for name in tag_names]
        entry.tags.set(tags)
    return entry


def report_grant_give(
    *, project: Project, commissioner: User, granted_by: User
) -> tuple[ReportGrant, bool]:
    """Let a commissioner read the project's report. Granting again changes nothing; the
    second value says whether a grant was made now."""
    return ReportGrant.objects.get_or_create(
        project=project, commissioner=commissioner, defaults={"granted_by": granted_by}
    )


def report_grant_revoke(*, project: Project, commissioner: User) -> bool:
    """Take the grant away; from the commissioner's next request the report is refused.
    Says whether there was a grant to take away."""
    deleted, _ = ReportGrant.objects.filter(project=project, commissioner=commissioner).delete()
    return bool(deleted)
