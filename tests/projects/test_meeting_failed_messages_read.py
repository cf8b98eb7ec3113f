"""The meeting page reads the messages that failed only when its answer counts say there
are some: these prove it still shows every one that failed or bounced, that the counts are
not inflated by the messages joined to them, and that a meeting without failures is spared
the query."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from projects.models import MeetingEmail, Response
from projects.selectors.meetings import meeting_detail
from tests.factories.meetings import InvitationFactory, MeetingFactory
from tests.factories.projects import ProjectFactory
from tests.factories.roster import MembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db


def _meeting_with(count: int, response: str = Response.ACCEPTED):
    starts_at = timezone.now() + timedelta(days=3)
    meeting = MeetingFactory(
        project=ProjectFactory(), starts_at=starts_at, ends_at=starts_at + timedelta(hours=2)
    )
    invitations = [
        InvitationFactory(
            meeting=meeting,
            person=MembershipFactory(project=meeting.project, person=PersonFactory()).person,
            response=response,
        )
        for _ in range(count)
    ]
    return meeting, invitations


def _queries(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries), response.content.decode()


def test_each_failed_or_bounced_message_is_shown_and_sent_ones_are_not(personas):
    meeting, (failed, bounced, fine) = _meeting_with(3)
    now = timezone.now()
    MeetingEmail.objects.create(invitation=failed, kind="invitation", failed_at=now)
    MeetingEmail.objects.create(invitation=bounced, kind="invitation", sent_at=now, bounced_at=now)
    MeetingEmail.objects.create(invitation=fine, kind="invitation", sent_at=now)
    MeetingEmail.objects.create(invitation=fine, kind="reminder", sent_at=now)

    detail = meeting_detail(meeting)

    assert {email.invitation_id for email in detail.failed_emails} == {failed.pk, bounced.pk}
    # Four messages joined to three invitations: still three invitations counted.
    assert detail.counts[Response.ACCEPTED] == 3
    assert detail.invitations.paginator.count == 3


def test_messages_of_other_meetings_are_not_shown(personas):
    meeting, _ = _meeting_with(2)
    other, (elsewhere,) = _meeting_with(1)
    MeetingEmail.objects.create(invitation=elsewhere, kind="invitation", failed_at=timezone.now())

    assert meeting_detail(meeting).failed_emails == []
    assert len(meeting_detail(other).failed_emails) == 1


def test_a_meeting_with_no_failed_message_runs_one_query_fewer(staff_client, personas):
    meeting, invitations = _meeting_with(3, Response.NO_ANSWER)
    for invitation in invitations:
        MeetingEmail.objects.create(
            invitation=invitation, kind="invitation", sent_at=timezone.now()
        )
    without, page = _queries(staff_client, meeting.get_absolute_url())
    assert "could not be sent" not in page
    assert "<strong>3</strong> not answered" in page

    MeetingEmail.objects.filter(invitation=invitations[0]).update(bounced_at=timezone.now())
    with_one, page = _queries(staff_client, meeting.get_absolute_url())
    assert "Messages that could not be sent or did not arrive" in page

    assert with_one == without + 1
