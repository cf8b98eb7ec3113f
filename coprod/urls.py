from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

# The admin login goes through allauth, so staff get the same MFA and rate limits there.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "coprod administration"
admin.site.site_title = "coprod admin"

urlpatterns = [
    path("", include("coprod.pages.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", include("projects.urls")),
    path("", include("decisions.urls")),
    path("", include("stakeholders.urls")),
    path("", include("evidence.urls")),
]
