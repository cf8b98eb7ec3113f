from django.urls import path

from evidence import views, views_evidence, views_learning

app_name = "evidence"

urlpatterns = [
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
    path("projects/<slug:slug>/grants/", views_evidence.grants, name="grants"),
    path("projects/<slug:slug>/grants/revoke/", views_evidence.grant_revoke, name="grant_revoke"),
    path("learning/", views_learning.learning, name="learning"),
    path("learning/add/", views_learning.learning_add, name="learning_add"),
    path("learning/<uuid:entry_id>/", views_learning.learning_entry, name="learning_entry"),
]
