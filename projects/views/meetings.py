import copy
import hashlib
import uuid
from collections.abc import Iterable
from decimal import Decimal

from django.contrib import messages
from django.core.paginator import Page
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST

from coprod.core.access import permission_required
from coprod.core.blank_forms import blank_form_fields
from coprod.core.html import html_row
from coprod.core.links import link_maker
from coprod.core.outbox import undelivered
from projects.access import STAFF_ONLY, get_meeting_for_staff, get_project_for_staff
from projects.calendar import meeting_ics
from projects.forms.meetings import (
    AttendanceForm,
    InviteForm,
    MeetingForm,
    MinutesForm,
    RecordAnswerForm,
)
from projects.models import (
    ARCHIVED_NOTHING_CAN_CHANGE,
    AttendanceStatus,
    Invitation,
    Meeting,
    MeetingEmail,
    Response,
    Stage,
)
from projects.rsvp import RsvpAction
from projects.selectors.meetings import (
    meeting_attendance_rows,
    meeting_detail,
    meeting_invitation_of,
    meeting_invite_preview,
    meeting_invitees,
    meeting_participation_by_group,
    meeting_person_to_mark,
    meeting_walk_in_choices,
    project_meetings_page,
    project_people_to_invite,
)
from projects.services.meetings import (
    InvitationWithdrawn,
    MeetingClosed,
    ProjectArchived,
    SupportAlreadyArranged,
    SupportNotAsked,
    SupportNotNeeded,
    attendance_record,
    invitation_record_answer,
    invitation_respond,
    invitation_support_arrange,
    meeting_cancel,
    meeting_create,
    meeting_email_retry,
    meeting_invite,
    meeting_update,
)
from stakeholders.access import PARTICIPANTS_ONLY, get_own_person
from stakeholders.models import AccessNeed, Person, StakeholderGroup, login_label

PREVIEW_NAMES_SHOWN = 100


UPDATE_NOTICE = "Everyone invited will get an updated calendar entry."


def _people(count: int) -> str:
    return "person" if count == 1 else "people"


def _hours_text(hours: Decimal) -> str:
    number = f"{hours:.2f}".rstrip("0").rstrip(".")
    return f"{number} hour" if number == "1" else f"{number} hours"


def _meeting_length_in_hours(meeting: Meeting) -> Decimal:
    seconds = int((meeting.ends_at - meeting.starts_at).total_seconds())
    return min(Decimal(seconds) / 3600, Decimal("24")).quantize(Decimal("0.01"))


def _attendance_can_be_marked(meeting: Meeting) -> bool:
    """From the moment the meeting starts, so nobody is marked, and paid, for a meeting
    that has not happened yet."""
    return not meeting.is_cancelled and meeting.has_started


@permission_required("projects.manage_project", denied=STAFF_ONLY)
def meetings(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_project_for_staff(request, slug)
    page = project_meetings_page(project, page_number=request.GET.get("page"))
    return render(request, "projects/meetings.html", {"project": project, "page": page})


@permission_required("projects.manage_project", denied=STAFF_ONLY)
def meeting_add(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_project_for_staff(request, slug)
    stage = project.stage if project.stage != Stage.CLOSED else Stage.DESIGN
    form = MeetingForm(request.POST or None, initial={"stage": stage})
    if request.method == "POST" and form.is_valid():
        meeting = meeting_create(project=project, created_by=request.user, **form.cleaned_data)
        messages.success(request, f"{meeting.title} has been added. Next, invite people.")
        return redirect(meeting)
    return render(
        request, "projects/meeting_form.html", {"project": project, "form": form, "meeting": None}
    )


@permission_required("projects.manage_project", denied=STAFF_ONLY)
def meeting_detail_page(request: HttpRequest, slug: str, meeting_id: uuid.UUID) -> HttpResponse:
    meeting = get_meeting_for_staff(request, slug, meeting_id)
    started = meeting.starts_at <= timezone.now()
    detail = meeting_detail(meeting, page_number=request.GET.get("page"))
    can_invite = not (meeting.is_cancelled or meeting.is_over)
    can_arrange_support = not (meeting.is_cancelled or meeting.has_started)
    feedback_shown = meeting.has_started and not meeting.is_cancelled
    attended = detail.attended
    return render(
        request,
        "projects/meeting_detail.html",
        {
            "project": meeting.project,
            "meeting": meeting,
            "detail": detail,
            "invitee_rows": _invitee_rows(
                request,
                meeting,
                detail.invitations,
                can_invite=can_invite,
                can_arrange_support=can_arrange_support,
            ),
            "participation": meeting_participation_by_group(attended) if meeting.is_over else None,
            "feedback_shown": feedback_shown,
            "came": sum(attended.values()),
            "minutes_fields": _minutes_fields(meeting)
            if started and not meeting.is_cancelled
            else None,
            "can_invite": can_invite,
        },
    )


_GROUPS = dict(StakeholderGroup.choices)
_ANSWERS = dict(Response.choices)
# Each access need's field in an invitee row, with how the page names it.
_NEEDS = tuple((f"person__{need.value}", need.label) for need in AccessNeed)


def _invitee_rows(
    request: HttpRequest,
    meeting: Meeting,
    page: Page,
    *,
    can_invite: bool,
    can_arrange_support: bool,
) -> list[SafeString]:
    """Each invitee's table row, as HTML: put together here from the fragments below, each
    value escaped as by format_html, rather than by template tags per row, whose cost adds
    up over a page of 50; the two links are reversed once a page, and only when the page
    can show them (neither once the meeting is over)."""
    slug, meeting_id = meeting.project.slug, meeting.public_id
    record_url = arrange_url = post_fields = None
    if can_invite:
        record_url = link_maker("projects:meeting_record_answer", slug, meeting_id)
    if can_arrange_support:
        arrange_url = link_maker("projects:meeting_support_arranged", slug, meeting_id)
        # What each "Mark as arranged" form posts besides its button, rendered once a page.
        post_fields = html_row(_POST_FIELDS, token=get_token(request), page=page.number)
    rows = []
    for invitation in page.object_list:
        public_id = str(invitation["person__public_id"])
        name = invitation["person__full_name"]
        response = invitation["response"]
        answer = html_row("{answer}", answer=_ANSWERS.get(response, response))
        if invitation["answer_recorded_by_id"] is not None:
            recorded = (
                f"Recorded by {_staff_name(invitation, 'answer_recorded_by')} on behalf of {name}"
            )
            if invitation["responded_at"]:
                recorded += f" on {_day(invitation['responded_at'])}"
            answer += html_row(_RECORDED, recorded=recorded)
        if can_invite and response != Response.WITHDRAWN:
            answer += html_row(_RECORD_LINK, url=record_url(public_id), name=name)
        asked = invitation["needs_support"] or bool(invitation["support_note"])
        needs = ", ".join(label for field, label in _NEEDS if invitation[field])
        support = SafeString()
        if asked:
            support += html_row("<strong>Needs support</strong>")
            if invitation["support_note"]:
                support += html_row(": {note}", note=invitation["support_note"])
            if invitation["support_arranged_at"] is not None:
                staff = (
                    _staff_name(invitation, "support_arranged_by")
                    if invitation["support_arranged_by_id"] is not None
                    else "a former member of staff"
                )
                arranged = f"Arranged by {staff} on {_day(invitation['support_arranged_at'])}"
                support += html_row(_SMALL, text=arranged)
            elif can_arrange_support and response not in (Response.DECLINED, Response.WITHDRAWN):
                support += html_row(
                    _ARRANGE_FORM, url=arrange_url(public_id), fields=post_fields, name=name
                )
        if needs:
            support += html_row(_SMALL, text=needs)
        if not asked and not needs:
            support += html_row("–")
        rows.append(
            html_row(
                _INVITEE_ROW,
                name=name,
                group=_GROUPS.get(invitation["person__stakeholder_group"], ""),
                answer=answer,
                public_id=public_id,
                support=support,
            )
        )
    return rows


_INVITEE_ROW = (
    '<tr><th scope="row">{name}</th><td>{group}</td><td>{answer}</td>'
    '<td id="support-{public_id}">{support}</td></tr>'
)
_RECORDED = '<div class="small">{recorded}</div>'
_RECORD_LINK = (
    '<div class="small"><a href="{url}">Record their answer'
    '<span class="visually-hidden">: {name}</span></a></div>'
)
_SMALL = '<div class="small">{text}</div>'
_POST_FIELDS = (
    '<input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
    '<input type="hidden" name="page" value="{page}">'
)
_ARRANGE_FORM = (
    '<form method="post" action="{url}" class="mt-1">{fields}'
    '<button type="submit" class="btn btn-sm btn-outline-primary">Mark as arranged'
    '<span class="visually-hidden">: support for {name}</span></button></form>'
)


def _staff_name(invitation: dict, field: str) -> str:
    return login_label(name=invitation[f"{field}__name"], email=invitation[f"{field}__email"])


def _day(moment) -> str:
    return dateformat.format(timezone.localtime(moment), "j F Y")


def _minutes_fields(meeting: Meeting) -> SafeString:
    """The minutes box, with the meeting's minutes in it: the blank form is rendered once
    per process (crispy-forms is slow), and the minutes, escaped, go in its text area. The
    form is never shown with errors here: the page it posts to redirects back."""
    blank = blank_form_fields(MinutesForm)
    return mark_safe(  # noqa: S308 - our own form's HTML; the minutes are escaped
        blank.replace(EMPTY_TEXTAREA, f">\n{escape(meeting.minutes)}</textarea>", 1)
    )


# How Django renders an empty text area's end: the minutes go between the two.
EMPTY_TEXTAREA = ">\n</textarea>"


@permission_required("projects.manage_project", denied=STAFF_ONLY)
def meeting_edit(request: HttpRequest, slug: str, meeting_id: uuid.UUID) -> HttpResponse:
    meeting = get_meeting_for_staff(request, slug, meeting_id)
    if meeting.is_cancelled:
        messages.error(request, "This meeting was cancelled, so it cannot be changed.")
        return redirect(meeting)
    # The form writes what was typed onto its instance while it checks it; a copy keeps
    # the page's headings right when the form has errors.
    form = MeetingForm(request.POST or None, instance=copy.copy(meeting))
    if request.method == "POST" and form.is_valid():
        sequence_before = meeting.sequence
        meeting_update(meeting=meeting, **form.cleaned_data)
        told = f" {UPDATE_NOTICE}" if meeting.sequence != sequence_before else ""
        messages.success(request, f"Your changes have been saved.{told}")
        return redirect(meeting)
    return render(
        request,
        "projects/meeting_form.html",
        {"project": meeting.project, "form": form, "meeting": meeting},
    )


@permission_required("projects.manage_project", denied=STAFF_ONLY)
def meeting_cancel_page(request: HttpRequest, slug: str, meeting_id: uuid.UUID) -> HttpResponse:
    meeting = get_meeting_for_staff(request, slug, meeting_id)
    if meeting.is_cancelled:
        messages.info(request, "This meeting is already cancelled.")
        return redirect(meeting)
    if meeting.is_over:
        messages.error(request, "This meeting is over, so it cannot be cancelled.")
        return redirect(meeting)
    if request.method == "POST":
        meeting_cancel(meeting=meeting)
        messages.success(
            request,
            "The meeting has been cancelled. Everyone invited who had not said no will get "
            "an email and their calendar entry will be removed.",
        )
        return redirect(meeting)
    return render(
        request, "projects/meeting_cancel.html", {"project": meeting.project, "meeting": meeting}
    )


def _closed_message(meeting: Meeting) -> str:
    if meeting.is_cancelled:
        return "This meeting was cancelled, so nobody can be invited to it."
    return "This meeting is over, so nobody can be invited to it."


@permission_required("projects.manage_project", denied=STAFF_ONLY)
def meeting_invite_page(request: HttpRequest, slug: str, meeting_id: uuid.UUID) -> HttpResponse:
    meeting = get_meeting_for_staff(request, slug, meeting_id)
    if meeting.is_cancelled or meeting.is_over:
        messages.error(request, _closed_message(meeting))
        return redirect(meeting)
    form = InviteForm(request.POST or None, people=project_people_to_invite(meeting.project))
    preview = checked = None
    preview_after_send = False
    if request.method == "POST" and form.is_valid():
        choice = {
            "mode": form.cleaned_data["who"],
            "groups": form.cleaned_data["groups"],
            "people_ids": [person.public_id for person in form.cleaned_data["people"]],
        }
        invitees = meeting_invitees(meeting, **choice)
        checked = _fingerprint(invitees.values_list("public_id", flat=True))
        confirmed = "send" in request.POST and request.POST.get("checked") == checked
        if not confirmed:
            preview = meeting_invite_preview(meeting, **choice, names_shown=PREVIEW_NAMES_SHOWN)
            preview_after_send = "send" in request.POST
        else:
            chosen = list(invitees)
            if not chosen:
                form.add_error(
                    None,
                    "Nobody new would be invited: everyone you chose is already invited, or "
                    "nobody matches your choice.",
                )
            else:
                try:
                    invited = meeting_invite(
                        meeting=meeting, people=chosen, invited_by=request.user
                    )
                except MeetingClosed:
                    messages.error(request, _closed_message(meeting))
                    return redirect(meeting)
                _report_invited(request, invited, chosen)
                return redirect(meeting)
    return render(
        request,
        "projects/meeting_invite.html",
        {
            "project": meeting.project,
            "meeting": meeting,
            "form": form,
            "preview": preview,
            "preview_after_send": preview_after_send,
            "checked": checked,
        },
    )


def _fingerprint(public_ids: Iterable[uuid.UUID]) -> str:
    """Names exactly the people a preview showed, so pressing Send invites those people and
    nobody else: if the ticks or the members change after the check, it is shown again."""
    ids = ",".join(sorted(str(public_id) for public_id in public_ids))
    return hashlib.sha256(ids.encode()).hexdigest()


def _report_invited(request: HttpRequest, invited: int, chosen: list[Person]) -> None:
    messages.success(
        request, f"Invited {invited} {_people(invited)}. The invitations are on their way."
    )
    unreachable = [person for person in chosen if not person.message_channel]
    if unreachable:
        messages.warning(
            request,
            "These people have no email address or phone number, so please tell them another "
            "way: " + ", ".join(person.full_name for person in unreachable) + ".",
        )


@permission_required("projects.manage_project", denied=STAFF_ONLY)
def meeting_attendance(request: HttpRequest, slug: str, meeting_id: uuid.UUID) -> HttpResponse:
    meeting = get_meeting_for_staff(request, slug, meeting_id)
    can_mark = _attendance_can_be_marked(meeting)
    failed = None
    if request.method == "POST":
        if not can_mark:
            messages.error(request, _not_yet_message(meeting))
            return redirect("projects:meeting_attendance", slug=slug, meeting_id=meeting_id)
        person = _person_posted(meeting, request.POST.get("person", ""))
        if person is None:
            messages.error(
                request,
                "Choose someone who was invited or is a member of the project, then try again.",
            )
            return redirect("projects:meeting_attendance", slug=slug, meeting_id=meeting_id)
        form = AttendanceForm(request.POST)
        if form.is_valid():
            return _mark(request, meeting, person, form.cleaned_data)
        if "status" in form.errors:
            messages.error(request, "Press Came or Did not come.")
            return redirect("projects:meeting_attendance", slug=slug, meeting_id=meeting_id)
        failed = {"person_id": person.public_id, "form": form}
    rows = meeting_attendance_rows(meeting)
    if failed:
        failed["in_rows"] = any(row.person.public_id == failed["person_id"] for row in rows)
    return render(
        request,
        "projects/meeting_attendance.html",
        {
            "project": meeting.project,
            "meeting": meeting,
            "rows": rows,
            "walk_ins": meeting_walk_in_choices(meeting) if can_mark else [],
            "default_hours": _meeting_length_in_hours(meeting),
            "can_mark": can_mark,
            "not_yet": _not_yet_message(meeting),
            "failed": failed,
            "statuses": AttendanceStatus,
        },
    )


def _person_posted(meeting: Meeting, public_id: str) -> Person | None:
    try:
        public_id = uuid.UUID(public_id)
    except ValueError:
        return None
    return meeting_person_to_mark(meeting, public_id)


def _not_yet_message(meeting: Meeting) -> str:
    if meeting.is_cancelled:
        return "This meeting was cancelled, so there is nobody to mark."
    starts = timezone.localtime(meeting.starts_at)
    return (
        "You can mark who came once the meeting starts, at "
        f"{dateformat.format(starts, 'g:i A').lower()} on {dateformat.format(starts, 'l j F Y')}."
        " Nothing has been recorded."
    )


def _mark(request: HttpRequest, meeting: Meeting, person: Person, data: dict) -> HttpResponse:
    attendance = attendance_record(
        meeting=meeting,
        person=person,
        status=data["status"],
        hours=data["hours"],
        recorded_by=request.user,
    )
    if attendance.status == AttendanceStatus.ATTENDED:
        what = f"came ({_hours_text(attendance.hours)})"
    else:
        what = "did not come"
    messages.success(request, f"Marked {person.display_name} as {what}.")
    url = reverse(
        "projects:meeting_attendance",
        kwargs={"slug": meeting.project.slug, "meeting_id": meeting.public_id},
    )
    return redirect(f"{url}#person-{person.public_id}")


@permission_required("projects.manage_project", denied=STAFF_ONLY)
@require_POST
def meeting_minutes(request: HttpRequest, slug: str, meeting_id: uuid.UUID) -> HttpResponse:
    meeting = get_meeting_for_staff(request, slug, meeting_id)
    if meeting.is_cancelled or meeting.starts_at > timezone.now():
        messages.error(request, "You can add minutes once the meeting has started.")
        return redirect(meeting)
    form = MinutesForm(request.POST, instance=meeting)
    if form.is_valid():
        meeting_update(meeting=meeting, minutes=form.cleaned_data["minutes"])
        messages.success(request, "The minutes have been saved.")
    return redirect(f"{meeting.get_absolute_url()}#minutes")


@permission_required("projects.manage_project", denied=STAFF_ONLY)
@require_POST
def meeting_emails_retry(request: HttpRequest, slug: str, meeting_id: uuid.UUID) -> HttpResponse:
    meeting = get_meeting_for_staff(request, slug, meeting_id)
    # With no email address or phone number a retry can only fail again: those people need
    # to be reached another way.
    failed = MeetingEmail.objects.filter(undelivered(), invitation__meeting=meeting).exclude(
        invitation__person__email="", invitation__person__phone=""
    )
    one = request.POST.get("email", "")
    if one:
        failed = failed.filter(pk=int(one)) if one.isdigit() else failed.none()
    emails = list(failed)
    for email in emails:
        meeting_email_retry(email=email)
    if emails:
        messages.success(
            request,
            f"Trying again: {len(emails)} {'message is' if len(emails) == 1 else 'messages are'} "
            "on the way. If sending fails again, the reason will show here.",
        )
    else:
        messages.info(request, "There are no failed messages to try again.")
    return redirect(f"{meeting.get_absolute_url()}#failed-emails")


RECORDED_MESSAGES = {
    Response.ACCEPTED: "{name} is coming.",
    Response.WAITLISTED: "The meeting is full, so {name} is on the waiting list.",
    Response.DECLINED: "{name} is not coming.",
}


@permission_required("projects.manage_project", denied=STAFF_ONLY)
def meeting_record_answer(
    request: HttpRequest, slug: str, meeting_id: uuid.UUID, person_id: uuid.UUID
) -> HttpResponse:
    """Staff record the answer of an invitee who told them by phone or in person."""
    meeting = get_meeting_for_staff(request, slug, meeting_id)
    invitation = meeting_invitation_of(meeting, person_id)
    if invitation is None:
        raise Http404
    if meeting.is_cancelled or meeting.is_over:
        messages.error(request, ANSWER_CLOSED)
        return redirect(meeting)
    if invitation.is_withdrawn:
        messages.error(request, ANSWER_WITHDRAWN)
        return redirect(meeting)
    form = RecordAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = invitation_record_answer(
                invitation=invitation,
                answer=form.cleaned_data["answer"],
                support_note=form.cleaned_data["support_note"],
                recorded_by=request.user,
            )
        except InvitationWithdrawn:
            messages.error(request, ANSWER_WITHDRAWN)
            return redirect(meeting)
        except MeetingClosed:
            messages.error(request, ANSWER_CLOSED)
            return redirect(meeting)
        name = invitation.person.full_name
        told = RECORDED_MESSAGES[invitation.response].format(name=name)
        messages.success(request, f"{told} Recorded by you on behalf of {name}.")
        return redirect(meeting)
    return render(
        request,
        "projects/meeting_record_answer.html",
        {"project": meeting.project, "meeting": meeting, "invitation": invitation, "form": form},
    )


@permission_required("projects.manage_project", denied=STAFF_ONLY)
@require_POST
def meeting_support_arranged(
    request: HttpRequest, slug: str, meeting_id: uuid.UUID, person_id: uuid.UUID
) -> HttpResponse:
    """Staff mark the support an invitee asked for as arranged."""
    meeting = get_meeting_for_staff(request, slug, meeting_id)
    invitation = meeting_invitation_of(meeting, person_id)
    if invitation is None:
        raise Http404
    name = invitation.person.full_name
    try:
        invitation = invitation_support_arrange(invitation=invitation, arranged_by=request.user)
    except MeetingClosed:
        messages.error(
            request,
            "This meeting has started or was cancelled, so support can no longer be arranged "
            "for it. Nothing has been changed.",
        )
    except InvitationWithdrawn:
        messages.error(request, ANSWER_WITHDRAWN)
    except SupportNotNeeded:
        messages.error(
            request,
            f"{name} has said they are not coming, so there is no support to arrange. "
            "Nothing has been changed.",
        )
    except SupportNotAsked:
        messages.error(
            request,
            f"{name} has not asked for support to come to this meeting. Nothing has been changed.",
        )
    except SupportAlreadyArranged:
        messages.info(request, f"Support for {name} is already marked as arranged.")
    else:
        messages.success(
            request,
            f"Support for {name} is marked as arranged. "
            "It is no longer on the dashboard's to-do list.",
        )
    page = request.POST.get("page", "")
    on_page = (
        f"?page={page}"
        if page.isascii() and page.isdigit() and page != "1" and len(page) < 6
        else ""
    )
    return redirect(f"{meeting.get_absolute_url()}{on_page}#support-{invitation.person.public_id}")


ANSWER_CLOSED = "This meeting is over or was cancelled, so answers can no longer change."


ANSWER_WITHDRAWN = (
    "This person is no longer taking part, so their answer cannot be recorded. "
    "Nothing has been changed."
)


def _get_own_invitation(request: HttpRequest, meeting_id) -> Invitation:
    """The signed-in participant's invitation to this meeting; anyone else's is a 404."""
    person = get_own_person(request)
    return get_object_or_404(
        Invitation.objects.select_related("meeting__project", "person"),
        person=person,
        meeting__public_id=meeting_id,
    )


@permission_required("stakeholders.access_me", denied=PARTICIPANTS_ONLY)
@require_POST
def meeting_answer(request: HttpRequest, meeting_id) -> HttpResponse:
    invitation = _get_own_invitation(request, meeting_id)
    action = request.POST.get("action", "")
    if action not in (RsvpAction.ACCEPT, RsvpAction.DECLINE):
        messages.error(request, "Choose whether you can come or not.")
        return redirect("pages:me")
    try:
        invitation = invitation_respond(invitation=invitation, action=action)
    except InvitationWithdrawn:
        messages.error(request, "This invitation is no longer active, so nothing has been changed.")
        return redirect("pages:me")
    except MeetingClosed:
        messages.error(
            request, "This meeting is over or was cancelled, so your answer cannot change."
        )
        return redirect("pages:me")
    except ProjectArchived:
        messages.error(request, ARCHIVED_NOTHING_CAN_CHANGE)
        return redirect("pages:me")
    messages.success(request, ANSWER_MESSAGES[invitation.response])
    return redirect("pages:me")


ANSWER_MESSAGES = {
    Response.ACCEPTED: "Thank you. You are coming.",
    Response.WAITLISTED: "The meeting is full, so you are on the waiting list.",
    Response.DECLINED: "Thank you for letting us know you cannot come.",
}


@permission_required("stakeholders.access_me", denied=PARTICIPANTS_ONLY)
def meeting_calendar(request: HttpRequest, meeting_id) -> HttpResponse:
    invitation = _get_own_invitation(request, meeting_id)
    response = HttpResponse(
        meeting_ics(invitation.meeting, invitation), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="meeting.ics"'
    return response
