"""Whom a person who has just signed up can ask for help: the team of the project whose
page they signed up on, or the organisation's own contact."""

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest

from projects.models import Project

SIGNUP_PROJECT_SESSION_KEY = "coprod_signup_project"


@dataclass(frozen=True)
class HelpContact:
    name: str
    email: str
    phone: str


def signup_project_remember(request: HttpRequest, project: Project) -> None:
    """Note, for the "Check your email" page that follows, which project's page this was."""
    request.session[SIGNUP_PROJECT_SESSION_KEY] = project.slug


def signup_help_contact(request: HttpRequest | None) -> HelpContact:
    slug = request.session.get(SIGNUP_PROJECT_SESSION_KEY) if request is not None else None
    project = Project.objects.filter(slug=slug).first() if slug else None
    if project is not None and (project.contact_email or project.contact_phone):
        return HelpContact(
            name=project.contact_name or f"the {project.name} team",
            email=project.contact_email,
            phone=project.contact_phone,
        )
    return HelpContact(
        name=settings.COPROD_HELP_NAME,
        email=settings.COPROD_HELP_EMAIL,
        phone=settings.COPROD_HELP_PHONE,
    )
