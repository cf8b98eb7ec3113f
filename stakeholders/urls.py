from django.urls import path

from stakeholders import views

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
    path("join/<slug:slug>/", views.join, name="join"),
    path("join/<slug:slug>/thank-you/", views.joined, name="joined"),
]
