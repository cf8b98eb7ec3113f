from django.urls import path

from projects.views import (
    finder,
    jobcentre_letter,
    join,
    meetings,
    payments,
    people,
    pool_invitation,
    projects,
    roster,
    roster_import,
    rsvp,
)

app_name = "projects"

urlpatterns = [
    path("projects/", projects.project_list, name="list"),
    path("projects/add/", projects.project_add, name="add"),
    path("projects/archived/", projects.archived_projects, name="archived"),
    path("projects/<slug:slug>/", projects.project_detail, name="detail"),
    path("projects/<slug:slug>/edit/", projects.project_edit, name="edit"),
    path("projects/<slug:slug>/archive/", projects.project_archive_page, name="archive"),
    path("projects/<slug:slug>/stage/", projects.project_stage, name="stage"),
    path("projects/<slug:slug>/roster/", roster.roster, name="roster"),
    path("projects/<slug:slug>/roster/add/", roster.roster_add, name="roster_add"),
    path(
        "projects/<slug:slug>/roster/<uuid:person_id>/status/",
        roster.membership_status,
        name="membership_status",
    ),
    path("projects/<slug:slug>/roster/import/", roster_import.roster_import, name="roster_import"),
    path(
        "projects/<slug:slug>/roster/import/<uuid:job_id>/",
        roster_import.roster_import_job,
        name="roster_import_job",
    ),
    path(
        "projects/<slug:slug>/roster/import/<uuid:job_id>/status.json",
        roster_import.roster_import_job_status,
        name="roster_import_job_status",
    ),
    path(
        "projects/<slug:slug>/roster/import/<uuid:job_id>/confirm/",
        roster_import.roster_import_confirm,
        name="roster_import_confirm",
    ),
    path(
        "projects/<slug:slug>/roster/import/template.csv",
        roster_import.roster_import_template,
        name="roster_import_template",
    ),
    path("projects/<slug:slug>/targets/", roster.coverage_targets, name="coverage_targets"),
    path("projects/<slug:slug>/finder/", finder.finder, name="finder"),
    path("projects/<slug:slug>/finder/invite/", finder.finder_invite, name="finder_invite"),
    path("projects/<slug:slug>/meetings/", meetings.meetings, name="meetings"),
    path("projects/<slug:slug>/meetings/add/", meetings.meeting_add, name="meeting_add"),
    path(
        "projects/<slug:slug>/meetings/<uuid:meeting_id>/",
        meetings.meeting_detail_page,
        name="meeting",
    ),
    path(
        "projects/<slug:slug>/meetings/<uuid:meeting_id>/edit/",
        meetings.meeting_edit,
        name="meeting_edit",
    ),
    path(
        "projects/<slug:slug>/meetings/<uuid:meeting_id>/cancel/",
        meetings.meeting_cancel_page,
        name="meeting_cancel",
    ),
    path(
        "projects/<slug:slug>/meetings/<uuid:meeting_id>/invite/",
        meetings.meeting_invite_page,
        name="meeting_invite",
    ),
    path(
        "projects/<slug:slug>/meetings/<uuid:meeting_id>/attendance/",
        meetings.meeting_attendance,
        name="meeting_attendance",
    ),
    path(
        "projects/<slug:slug>/meetings/<uuid:meeting_id>/minutes/",
        meetings.meeting_minutes,
        name="meeting_minutes",
    ),
    path(
        "projects/<slug:slug>/meetings/<uuid:meeting_id>/emails/retry/",
        meetings.meeting_emails_retry,
        name="meeting_emails_retry",
    ),
    path(
        "projects/<slug:slug>/meetings/<uuid:meeting_id>/answers/<uuid:person_id>/",
        meetings.meeting_record_answer,
        name="meeting_record_answer",
    ),
    path(
        "projects/<slug:slug>/meetings/<uuid:meeting_id>/support/<uuid:person_id>/arranged/",
        meetings.meeting_support_arranged,
        name="meeting_support_arranged",
    ),
    path(
        "projects/<slug:slug>/payments/policy/",
        payments.payment_policy,
        name="payment_policy",
    ),
    path("projects/<slug:slug>/payments/", payments.payments, name="payments"),
    path(
        "projects/<slug:slug>/payments/<uuid:payment_id>/",
        payments.payment_detail,
        name="payment",
    ),
    path(
        "projects/<slug:slug>/payments/<uuid:payment_id>/approve/",
        payments.payment_approve_view,
        name="payment_approve",
    ),
    path(
        "projects/<slug:slug>/payments/<uuid:payment_id>/choice/",
        payments.payment_choose_view,
        name="payment_choose",
    ),
    path(
        "projects/<slug:slug>/payments/<uuid:payment_id>/decline/",
        payments.payment_decline_view,
        name="payment_decline",
    ),
    path(
        "projects/<slug:slug>/payments/<uuid:payment_id>/paid/",
        payments.payment_paid_view,
        name="payment_paid",
    ),
    path(
        "projects/<slug:slug>/payments/<uuid:payment_id>/reverse/",
        payments.payment_reverse_view,
        name="payment_reverse",
    ),
    path(
        "projects/<slug:slug>/payments/claims/<uuid:claim_id>/",
        payments.claim_detail,
        name="claim",
    ),
    path(
        "projects/<slug:slug>/payments/claims/<uuid:claim_id>/decide/",
        payments.claim_decide_view,
        name="claim_decide",
    ),
    path(
        "projects/<slug:slug>/payments/claims/<uuid:claim_id>/paid/",
        payments.claim_paid_view,
        name="claim_paid",
    ),
    path("finance/", payments.finance, name="finance"),
    path("finance/runs/<uuid:run_id>/", payments.payment_run, name="payment_run"),
    path(
        "finance/runs/<uuid:run_id>/undo/", payments.payment_run_undo_view, name="payment_run_undo"
    ),
    # /people/erasure-requests/ and /people/data-exports/ are stakeholders' (no UUID there).
    path("people/", people.people, name="people"),
    path("people/<uuid:person_id>/", people.person, name="person"),
    path("people/<uuid:person_id>/claims/new/", people.person_claim_new, name="person_claim_new"),
    path(
        "people/<uuid:person_id>/payment-choices/",
        people.person_payment_choices,
        name="person_payment_choices",
    ),
    path(
        "people/<uuid:person_id>/bank-details/",
        people.person_bank_details,
        name="person_bank_details",
    ),
    path(
        "people/<uuid:person_id>/letter-for-the-jobcentre/",
        jobcentre_letter.person_jobcentre_letter,
        name="person_jobcentre_letter",
    ),
    path("rsvp/<str:token>/", rsvp.rsvp, name="rsvp"),
    path("invitation/<str:token>/", pool_invitation.pool_invitation, name="pool_invitation"),
    path("join/<slug:slug>/", join.join, name="join"),
    path("join/<slug:slug>/thank-you/", join.joined, name="joined"),
    path("me/meetings/<uuid:meeting_id>/answer/", meetings.meeting_answer, name="meeting_answer"),
    path(
        "me/meetings/<uuid:meeting_id>/calendar.ics",
        meetings.meeting_calendar,
        name="meeting_calendar",
    ),
    path("me/payments/", payments.my_payments, name="my_payments"),
    path("me/payments/choices/", payments.payment_choices, name="payment_choices"),
    path("me/payments/bank-details/", payments.bank_details, name="bank_details"),
    path(
        "me/payments/letter-for-the-jobcentre/",
        jobcentre_letter.my_jobcentre_letter,
        name="my_jobcentre_letter",
    ),
    path(
        "me/payments/<uuid:payment_id>/choose/",
        payments.payment_choose_mine,
        name="payment_choose_mine",
    ),
    path(
        "me/payments/<uuid:payment_id>/decline/",
        payments.payment_decline_mine,
        name="payment_decline_mine",
    ),
    path("me/claims/new/", payments.claim_new, name="claim_new"),
    path("me/claims/<uuid:claim_id>/receipt/", payments.claim_receipt, name="claim_receipt"),
]
