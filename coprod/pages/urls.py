from django.urls import path

from coprod.pages import views

app_name = "pages"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("me/", views.me, name="me"),
    path("notify/receipts/", views.notify_receipt, name="notify_receipt"),
]
