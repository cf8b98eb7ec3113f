from django.urls import path

from stakeholders import views, views_account, views_benefits, views_privacy, views_signin

app_name = "stakeholders"

urlpatterns = [
    path("account/", views_account.account, name="account"),
    path(
        "account/new-confirmation-link/",
        views_account.new_confirmation_link,
        name="new_confirmation_link",
    ),
    path("me/details/", views.profile, name="profile"),
    path("me/equality/", views.equality, name="equality"),
    path("me/benefits/", views_benefits.benefits, name="benefits"),
    path("me/consent/<str:kind>/withdraw/", views.consent_withdraw_view, name="consent_withdraw"),
    path("me/consent/involvement/agree/", views.consent_give_again, name="consent_give"),
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
    path(
        "people/<uuid:person_id>/data/requests/",
        views_privacy.subject_access_received,
        name="sar_received",
    ),
    path("people/<uuid:person_id>/details/", views.person_details, name="person_details"),
    path(
        "people/<uuid:person_id>/benefits/",
        views_benefits.person_benefits,
        name="person_benefits",
    ),
    path(
        "people/<uuid:person_id>/signin-link/",
        views_signin.person_signin_link,
        name="person_signin_link",
    ),
    path("signin/", views_signin.signin_link_ask, name="signin_link_ask"),
    path("signin/<uuid:link_id>/", views_signin.signin_link_follow, name="signin_link_follow"),
    path("l/<str:code>/", views_signin.short_link, name="short_link"),
]
