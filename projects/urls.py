from django.urls import path

from evidence import views_learning
from projects import views, views_meetings, views_payments, views_rsvp
from stakeholders import views_finder, views_import, views_roster

app_name = "projects"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("projects/", views.project_list, name="list"),
    path("projects/<slug:slug>/", views.project_detail, name="detail"),
    path("projects/<slug:slug>/stage/", views_learning.project_stage, name="stage"),
    path("projects/<slug:slug>/roster/", views_roster.roster, name="roster"),
    path("projects/<slug:slug>/roster/add/", views_roster.roster_add, name="roster_add"),
    path(
        "projects/<slug:slug>/roster/<uuid:person_id>/status/",
        views_roster.membership_status,
        name="membership_status",
    ),
    path("projects/<slug:slug>/roster/import/", views_import.roster_import, name="roster_import"),
    path(
        "projects/<slug:slug>/roster/import/confirm/",
        views_import.roster_import_confirm,
        name="roster_import_confirm",
    ),
    path(
        "projects/<slug:slug>/roster/import/template.csv",
        views_import.roster_import_template,
        name="roster_import_template",
    ),
    path("projects/<slug:slug>/targets/", views_roster.coverage_targets, name="coverage_targets"),
    path("projects/<slug:slug>/finder/", views_finder.finder, name="finder"),
    path("projects/<slug:slug>/finder/invite/", views_finder.finder_invite, name="finder_invite"),
    path("projects/<slug:slug>/meetings/", views_meetings.meetings, name="meetings"),
    path("projects/<slug:slug>/meetings/add/", views_meetings.meeting_add, name="meeting_add"),
    path(
        "projects/<slug:slug>/meetings/<uuid:meeting_id>/",
        views_meetings.meeting_detail_page,
        name="meeting",
    ),
    path(
        "projects/<slug:slug>/meetings/<uuid:meeting_id>/edit/",
        views_meetings.meeting_edit,
        name="meeting_edit",
    ),
    path(
        "projects/<slug:slug>/meetings/<uuid:meeting_id>/cancel/",
        views_meetings.meeting_cancel_page,
        name="meeting_cancel",
    ),
    path(
        "projects/<slug:slug>/meetings/<uuid:meeting_id>/invite/",
        views_meetings.meeting_invite_page,
        name="meeting_invite",
    ),
    path(
        "projects/<slug:slug>/meetings/<uuid:meeting_id>/attendance/",
        views_meetings.meeting_attendance,
        name="meeting_attendance",
    ),
    path(
        "projects/<slug:slug>/meetings/<uuid:meeting_id>/minutes/",
        views_meetings.meeting_minutes,
        name="meeting_minutes",
    ),
    path(
        "projects/<slug:slug>/meetings/<uuid:meeting_id>/emails/retry/",
        views_meetings.meeting_emails_retry,
        name="meeting_emails_retry",
    ),
    path(
        "projects/<slug:slug>/payments/policy/",
        views_payments.payment_policy,
        name="payment_policy",
    ),
    path("projects/<slug:slug>/payments/", views_payments.payments, name="payments"),
    path(
        "projects/<slug:slug>/payments/<uuid:payment_id>/",
        views_payments.payment_detail,
        name="payment",
    ),
    path(
        "projects/<slug:slug>/payments/<uuid:payment_id>/approve/",
        views_payments.payment_approve_view,
        name="payment_approve",
    ),
    path(
        "projects/<slug:slug>/payments/<uuid:payment_id>/decline/",
        views_payments.payment_decline_view,
        name="payment_decline",
    ),
    path(
        "projects/<slug:slug>/payments/<uuid:payment_id>/paid/",
        views_payments.payment_paid_view,
        name="payment_paid",
    ),
    path(
        "projects/<slug:slug>/payments/<uuid:payment_id>/reverse/",
        views_payments.payment_reverse_view,
        name="payment_reverse",
    ),
    path(
        "projects/<slug:slug>/payments/claims/<uuid:claim_id>/",
        views_payments.claim_detail,
        name="claim",
    ),
    path(
        "projects/<slug:slug>/payments/claims/<uuid:claim_id>/decide/",
        views_payments.claim_decide_view,
        name="claim_decide",
    ),
    path(
        "projects/<slug:slug>/payments/claims/<uuid:claim_id>/paid/",
        views_payments.claim_paid_view,
        name="claim_paid",
    ),
    path("finance/", views_payments.finance, name="finance"),
    path("rsvp/<str:token>/", views_rsvp.rsvp, name="rsvp"),
]
