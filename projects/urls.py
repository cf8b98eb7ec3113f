from django.urls import path

from projects import views

app_name = "projects"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("projects/", views.project_list, name="list"),
    path("projects/<slug:slug>/", views.project_detail, name="detail"),
]
