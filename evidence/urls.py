from django.urls import path

from evidence import (
    views,
    views_evidence,
    views_feedback,
    views_learning,
    views_measures,
    views_valuation,
)

app_name = "evidence"

urlpatterns = [
    path(
        "me/meetings/<uuid:meeting_id>/feedback/",
        views_feedback.meeting_feedback,
        name="meeting_feedback",
    ),
    path(
        "me/meetings/<uuid:meeting_id>/feedback/sent/",
        views_feedback.meeting_feedback_sent,
        name="meeting_feedback_sent",
    ),
    path("reports/", views.reports, name="reports"),
    path("reports/<slug:slug>/", views.report, name="report"),
    path(
        "projects/<slug:slug>/evidence/",
        views_evidence.project_evidence,
        name="project_evidence",
    ),
    path("projects/<slug:slug>/evidence/add/", views_evidence.evidence_add, name="evidence_add"),
    path(
        "projects/<slug:slug>/evidence/impact/",
        views_evidence.impact_summary,
        name="impact_summary",
    ),
    path(
        "projects/<slug:slug>/evidence/cost-benefit/",
        views_evidence.cost_benefit_page,
        name="cost_benefit",
    ),
    path(
        "projects/<slug:slug>/evidence/<uuid:evidence_id>/",
        views_evidence.evidence_detail,
        name="evidence",
    ),
    path(
        "projects/<slug:slug>/evidence/<uuid:evidence_id>/edit/",
        views_evidence.evidence_edit,
        name="evidence_edit",
    ),
    path(
        "projects/<slug:slug>/evidence/<uuid:evidence_id>/delete/",
        views_evidence.evidence_delete_page,
        name="evidence_delete",
    ),
    path(
        "projects/<slug:slug>/evidence/<uuid:evidence_id>/document/",
        views_evidence.evidence_document,
        name="evidence_document",
    ),
    path(
        "projects/<slug:slug>/evidence/<uuid:evidence_id>/values/add/",
        views_evidence.outcome_value_add_page,
        name="outcome_value_add",
    ),
    path("projects/<slug:slug>/evidence/valuation/", views_valuation.valuation, name="valuation"),
    path(
        "projects/<slug:slug>/evidence/valuation/outcomes/add/",
        views_valuation.valuation_outcome_add,
        name="valuation_outcome_add",
    ),
    path(
        "projects/<slug:slug>/evidence/valuation/outcomes/<uuid:outcome_id>/edit/",
        views_valuation.valuation_outcome_edit,
        name="valuation_outcome_edit",
    ),
    path(
        "projects/<slug:slug>/evidence/valuation/outcomes/<uuid:outcome_id>/remove/",
        views_valuation.valuation_outcome_remove,
        name="valuation_outcome_remove",
    ),
    path(
        "projects/<slug:slug>/evidence/valuation/staff-time/add/",
        views_valuation.staff_time_add_page,
        name="staff_time_add",
    ),
    path(
        "projects/<slug:slug>/evidence/valuation/staff-time/<uuid:entry_id>/remove/",
        views_valuation.staff_time_remove,
        name="staff_time_remove",
    ),
    path(
        "projects/<slug:slug>/evidence/valuation/optimism-bias/",
        views_valuation.optimism_bias,
        name="optimism_bias",
    ),
    path("unit-values/", views_valuation.unit_values, name="unit_values"),
    path(
        "unit-values/import/",
        views_valuation.unit_values_import_page,
        name="unit_values_import",
    ),
    path(
        "unit-values/template.csv",
        views_valuation.unit_values_template,
        name="unit_values_template",
    ),
    path("projects/<slug:slug>/grants/", views_evidence.grants, name="grants"),
    path("projects/<slug:slug>/grants/revoke/", views_evidence.grant_revoke, name="grant_revoke"),
    path("measures/", views_measures.measures, name="measures"),
    path("measures/add/", views_measures.measure_add, name="measure_add"),
    path("measures/<slug:code>/", views_measures.measure_detail, name="measure"),
    path(
        "projects/<slug:slug>/measures/",
        views_measures.project_measures,
        name="project_measures",
    ),
    path(
        "projects/<slug:slug>/measures/add/",
        views_measures.project_measure_add_view,
        name="project_measure_add",
    ),
    path(
        "projects/<slug:slug>/measures/<int:project_measure_id>/rounds/add/",
        views_measures.measure_round_add,
        name="measure_round_add",
    ),
    path(
        "projects/<slug:slug>/measures/rounds/<int:round_id>/paper/",
        views_measures.paper_answers,
        name="paper_answers",
    ),
    path("me/measures/", views_measures.my_measures, name="my_measures"),
    path("me/measures/<int:round_id>/", views_measures.measure_answer, name="measure_answer"),
    path("learning/", views_learning.learning, name="learning"),
    path("learning/add/", views_learning.learning_add, name="learning_add"),
    path("learning/<uuid:entry_id>/", views_learning.learning_entry, name="learning_entry"),
]
