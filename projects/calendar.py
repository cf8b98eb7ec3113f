"""RFC 5545 calendar files for meetings (icalendar)."""

from functools import cache

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, Timezone, vCalAddress, vText

from projects.models import Invitation, Meeting, Response

LONDON = "Europe/London"

PARTSTAT = {
    Response.NO_ANSWER: "NEEDS-ACTION",
    Response.ACCEPTED: "ACCEPTED",
    Response.DECLINED: "DECLINED",
    Response.WAITLISTED: "TENTATIVE",
}


def meeting_uid(meeting: Meeting) -> str:
    """Stable for the meeting, so every update and cancellation replaces the same entry."""
    return f"meeting-{meeting.public_id}@coprod"


def meeting_ics(meeting: Meeting, invitation: Invitation | None = None) -> bytes:
    """METHOD:REQUEST for a meeting (or METHOD:CANCEL once cancelled), for one invitee."""
    calendar = Calendar()
    calendar.add("prodid", "-//coprod//meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if meeting.is_cancelled else "REQUEST")

    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", timezone.localtime(meeting.starts_at, timezone.get_default_timezone()))
    event.add("dtend", timezone.localtime(meeting.ends_at, timezone.get_default_timezone()))
    event.add("summary", f"{meeting.title} ({meeting.project.name})")
    event.add("status", "CANCELLED" if meeting.is_cancelled else "CONFIRMED")
    location = ", ".join(part for part in (meeting.place, meeting.online_link) if part)
    if location:
        event.add("location", location)
    if meeting.online_link:
        event.add("url", meeting.online_link)
    description = "\n\n".join(
        part
        for part in (meeting.agenda, meeting.access_info and f"Access: {meeting.access_info}")
        if part
    )
    if description:
        event.add("description", description)

    organizer = vCalAddress(f"mailto:{_address(settings.DEFAULT_FROM_EMAIL)}")
    organizer.params["cn"] = vText(meeting.project.name)
    event.add("organizer", organizer)
    if invitation is not None and invitation.person.email:
        attendee = vCalAddress(f"mailto:{invitation.person.email}")
        attendee.params["cn"] = vText(invitation.person.display_name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText(PARTSTAT[invitation.response])
        attendee.params["rsvp"] = vText("FALSE")
        event.add("attendee", attendee)

    calendar.add_component(london_timezone())
    calendar.add_component(event)
    return calendar.to_ical()


@cache
def london_timezone() -> Timezone:
    """Europe/London's VTIMEZONE, built once per process: it is the same in every file."""
    return Timezone.from_tzid(LONDON)


def _address(from_email: str) -> str:
    """The bare address in 'Name <address>'."""
    return from_email.rsplit("<", 1)[-1].rstrip(">").strip()
