"""Evidence: records of what happened, measures people answer themselves, what people said
after meetings, the valuation, the learning library and who may read reports. One module
per concern; import from here."""

from evidence.models.measures import (
    Measure,
    MeasureAnswer,
    MeasureLicence,
    MeasureQuestion,
    MeasureResponse,
    MeasureRound,
    MeasureScoring,
    ProjectMeasure,
    RoundKind,
)
from evidence.models.records import (
    BetterDirection,
    EvidenceKind,
    EvidenceRecord,
    ImpactSummary,
    LearningEntry,
    OutcomeValue,
    ReportGrant,
    Tag,
    not_in_the_future,
    number_text,
)

__all__ = [
    "Measure",
    "MeasureAnswer",
    "MeasureLicence",
    "MeasureQuestion",
    "MeasureResponse",
    "MeasureRound",
    "MeasureScoring",
    "ProjectMeasure",
    "RoundKind",
    "BetterDirection",
    "EvidenceKind",
    "EvidenceRecord",
    "ImpactSummary",
    "LearningEntry",
    "OutcomeValue",
    "ReportGrant",
    "Tag",
    "not_in_the_future",
    "number_text",
]
