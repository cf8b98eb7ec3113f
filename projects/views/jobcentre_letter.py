"""'A letter for the Jobcentre': a PDF a person can show their work coach, saying their
involvement is service-user involvement, not a job, with this tax year's fees. The person
gets their own from /me/payments/; staff get anyone's from the person page."""

import uuid

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_safe

from coprod.core.access import permission_required
from coprod.core.pdf import html_to_pdf
from coprod.core.ratelimit import rate_limited, too_many_requests
from projects.access import STAFF_ONLY, get_person_for_staff
from projects.selectors.jobcentre_letter import jobcentre_letter
from stakeholders.access import PARTICIPANTS_ONLY, get_own_person
from stakeholders.models import Person

ERASED = "This person's details have been erased, so there is no letter to make for them."


def _letter_pdf(request: HttpRequest, person: Person) -> HttpResponse:
    # A PDF costs seconds of CPU: a few a minute for each signed-in person, as for reports.
    if rate_limited(
        request,
        action="jobcentre-letter",
        per_minute=settings.COPROD_REPORT_PDF_PER_MINUTE,
        by_user=True,
    ):
        return too_many_requests(request)
    today = timezone.localdate()
    html = render_to_string(
        "projects/jobcentre_letter.html",
        {
            "letter": jobcentre_letter(person, today=today),
            "organisation": settings.COPROD_ORGANISATION_NAME,
            "help_email": settings.COPROD_HELP_EMAIL,
            "help_phone": settings.COPROD_HELP_PHONE,
        },
        request=request,
    )
    filename = f"letter-for-the-jobcentre-{today:%Y-%m-%d}.pdf"
    return HttpResponse(
        html_to_pdf(html, base_url=request.build_absolute_uri("/")),
        content_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@require_safe
@permission_required("stakeholders.access_me", denied=PARTICIPANTS_ONLY)
def my_jobcentre_letter(request: HttpRequest) -> HttpResponse:
    return _letter_pdf(request, get_own_person(request))


@require_safe
@permission_required("projects.manage_project", denied=STAFF_ONLY)
def person_jobcentre_letter(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    someone = get_person_for_staff(request, person_id)
    if someone.erased_at is not None:
        messages.error(request, ERASED)
        return redirect("projects:person", person_id=someone.public_id)
    return _letter_pdf(request, someone)
