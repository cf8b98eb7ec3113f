"""What evidence holds about people: only who granted, holds or wrote things, never the
participants themselves (the rules live in stakeholders.privacy)."""

from stakeholders.privacy import personal_data_register

personal_data_register(
    exported={},
    not_exported={
        ("evidence.ReportGrant", "commissioner"): "commissioners' access, not participants'",
        ("evidence.ReportGrant", "granted_by"): "staff audit",
        ("evidence.EvidenceRecord", "created_by"): "staff audit",
        ("evidence.HistoricalImpactSummary", "history_user"): "staff audit",
        ("evidence.LearningEntry", "created_by"): "staff audit",
    },
)
