from django.urls import path

from decisions import views, views_ballot, views_public

app_name = "decisions"

DECISION = "projects/<slug:slug>/decisions/<uuid:decision_id>"

urlpatterns = [
    path("projects/<slug:slug>/decisions/", views.decisions, name="list"),
    path("projects/<slug:slug>/decisions/add/", views.decision_add, name="add"),
    path("projects/<slug:slug>/decisions/assess/", views.ladder_assess, name="assess"),
    path(f"{DECISION}/", views.decision_detail_page, name="detail"),
    path(f"{DECISION}/edit/", views.decision_edit, name="edit"),
    path(f"{DECISION}/voting/open/", views.decision_voting_open, name="voting_open"),
    path(f"{DECISION}/voting/close/", views.decision_voting_close, name="voting_close"),
    path(f"{DECISION}/votes/record/", views.decision_vote_record, name="vote_record"),
    path(f"{DECISION}/actions/add/", views.action_add, name="action_add"),
    path(f"{DECISION}/actions/status/", views.action_status, name="action_status"),
    path("me/decisions/", views.my_decisions, name="my_decisions"),
    path("me/decisions/<uuid:decision_id>/vote/", views.vote, name="vote"),
    path("me/ladder/<slug:slug>/", views.ladder, name="ladder"),
    path("vote/<str:token>/", views_ballot.ballot, name="ballot"),
    path("you-said-we-did/<slug:slug>/", views_public.you_said_we_did, name="you_said_we_did"),
]
