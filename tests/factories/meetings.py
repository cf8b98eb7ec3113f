from datetime import timedelta

import factory
from django.utils import timezone

from projects.models import Invitation, Meeting
from tests.factories.projects import ProjectFactory
from tests.factories.roster import PersonFactory


class MeetingFactory(factory.django.DjangoModelFactory):
    """A two-hour meeting starting in three days."""

    class Meta:
        model = Meeting

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Meeting {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=3))
    ends_at = factory.LazyAttribute(lambda meeting: meeting.starts_at + timedelta(hours=2))
    place = "Riverside Community Centre"

    class Params:
        # MeetingFactory(past=True): started two days ago, so attendance can be taken.
        past = factory.Trait(
            starts_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=2))
        )


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    meeting = factory.SubFactory(MeetingFactory)
    person = factory.SubFactory(PersonFactory)
