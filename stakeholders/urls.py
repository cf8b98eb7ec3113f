from django.urls import path

from stakeholders import views

app_name = "stakeholders"

urlpatterns = [
    path("me/", views.me, name="me"),
]
