from django.urls import path

from evidence import views

app_name = "evidence"

urlpatterns = [
    path("reports/", views.reports, name="reports"),
    path("reports/<slug:slug>/", views.report, name="report"),
]
