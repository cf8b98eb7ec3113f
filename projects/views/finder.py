from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from coprod.core.access import permission_required
from projects.access import STAFF_ONLY, get_project_for_staff
from projects.forms.finder import FinderForm
from projects.selectors.finder import (
    FINDER_LIMIT,
    invitations_to_phone,
    people_chosen,
    pool_matches,
)
from projects.services.pool import pool_invite


@permission_required("projects.manage_project", denied=STAFF_ONLY)
def finder(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_project_for_staff(request, slug)
    # The choices travel in the query string, so a search can be bookmarked or shared.
    form = FinderForm(request.GET)
    matches = pool_matches(project=project, **form.cleaned_data) if form.is_valid() else []
    return render(
        request,
        "projects/finder.html",
        {
            "project": project,
            "form": form,
            "matches": matches,
            "limit_reached": len(matches) >= FINDER_LIMIT,
            "limit": FINDER_LIMIT,
            "to_phone": invitations_to_phone(project=project),
        },
    )


@permission_required("projects.manage_project", denied=STAFF_ONLY)
@require_POST
def finder_invite(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_project_for_staff(request, slug)
    back = reverse("projects:finder", kwargs={"slug": project.slug})
    if request.GET:
        back += "?" + request.GET.urlencode()
    chosen = list(people_chosen(request.POST.getlist("people")))
    if not chosen:
        messages.error(request, "Nobody was chosen. Tick the people you want to invite.")
        return redirect(back)

    invitations = pool_invite(project=project, people=chosen, invited_by=request.user)

    unreachable = [
        invitation.person for invitation in invitations if not invitation.person.message_channel
    ]
    if invitations:
        emailing = (
            " Invitations are on their way by email or text message."
            if len(unreachable) < len(invitations)
            else ""
        )
        messages.success(
            request, f"Invited {len(invitations)} {_people(len(invitations))}.{emailing}"
        )
    invited_ids = {invitation.person_id for invitation in invitations}
    skipped = [person for person in chosen if person.pk not in invited_ids]
    if skipped:
        messages.info(
            request,
            "Not invited, because they were already invited, are already taking part or "
            "have left the pool: " + ", ".join(person.full_name for person in skipped) + ".",
        )
    if unreachable:
        messages.warning(
            request,
            "These people have no email address or phone number, so please contact them "
            "another way: " + ", ".join(person.full_name for person in unreachable) + ".",
        )
    return redirect(back)


def _people(count: int) -> str:
    return "person" if count == 1 else "people"
