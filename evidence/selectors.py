from django.db.models import QuerySet

from projects.models import Project
from stakeholders.rules import is_staff_member


def projects_reported_to(user) -> QuerySet[Project]:
    """Staff read every project's report; a commissioner only those granted to them."""
    projects = Project.objects.only("name", "slug", "stage", "summary")
    if is_staff_member(user):
        return projects
    return projects.filter(report_grants__commissioner=user)
