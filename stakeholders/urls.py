from django.urls import path

from stakeholders import views, views_privacy

app_name = "stakeholders"

urlpatterns = [
    path("me/", views.me, name="me"),
    path("me/details/", views.profile, name="profile"),
    path("me/equality/", views.equality, name="equality"),
    path("me/consent/<str:kind>/withdraw/", views.consent_withdraw_view, name="consent_withdraw"),
    path("me/meetings/<uuid:meeting_id>/answer/", views.meeting_answer, name="meeting_answer"),
    path(
        "me/meetings/<uuid:meeting_id>/calendar.ics",
        views.meeting_calendar,
        name="meeting_calendar",
    ),
    path("me/payments/", views.my_payments, name="my_payments"),
    path("me/payments/choices/", views.payment_choices, name="payment_choices"),
    path(
        "me/payments/<uuid:payment_id>/decline/",
        views.payment_decline_mine,
        name="payment_decline_mine",
    ),
    path("me/claims/new/", views.claim_new, name="claim_new"),
    path("me/claims/<uuid:claim_id>/receipt/", views.claim_receipt, name="claim_receipt"),
    path("me/decisions/", views.my_decisions, name="my_decisions"),
    path("me/decisions/<uuid:decision_id>/vote/", views.vote, name="vote"),
    path("me/ladder/<slug:slug>/", views.ladder, name="ladder"),
    path("me/data/", views_privacy.my_data, name="my_data"),
    path("me/data.json", views_privacy.my_data_json, name="my_data_json"),
    path("me/erase/", views_privacy.erasure_request, name="erasure_request"),
    path("people/erasure-requests/", views_privacy.erasure_requests, name="erasure_requests"),
    path(
        "people/erasure-requests/<uuid:request_id>/confirm/",
        views_privacy.erasure_confirm_view,
        name="erasure_confirm",
    ),
    path("people/data-exports/", views_privacy.export_log, name="export_log"),
    path("people/<uuid:person_id>/data/", views_privacy.subject_access, name="sar"),
    path("join/<slug:slug>/", views.join, name="join"),
    path("join/<slug:slug>/thank-you/", views.joined, name="joined"),
]
