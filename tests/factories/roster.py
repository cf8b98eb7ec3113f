import factory

from projects.models import CoverageTarget, Membership, MembershipStatus
from stakeholders.models import (
    ConsentKind,
    ConsentMethod,
    PaymentMethod,
    Person,
    Skill,
    StakeholderGroup,
)
from stakeholders.services import consent_give
from tests.factories.projects import ProjectFactory

_FAKE = factory.Faker._get_faker(locale="en_GB")


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Skill
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Skill {n}")


class PersonFactory(factory.django.DjangoModelFactory):
    """A roster entry who has given involvement consent (online) and chosen to be paid by
    bank transfer (a new Person has chosen no way of being paid: give payment_method="")."""

    class Meta:
        model = Person
        skip_postgeneration_save = True

    # Faker's British names include some with an apostrophe (O'Neill), which pages rightly
    # escape; tests that look for a name in a page would then fail now and then, so
    # generated names leave the apostrophe out (tests of escaping name people themselves).
    full_name = factory.LazyFunction(lambda: _FAKE.name().replace("'", ""))
    email = factory.Sequence(lambda n: f"roster{n}@example.org")
    stakeholder_group = StakeholderGroup.LIVED_EXPERIENCE
    in_pool = False
    payment_method = PaymentMethod.BANK_TRANSFER

    @factory.post_generation
    def consented(self, create, extracted, **kwargs):
        if create and extracted is not False:
            consent_give(
                person=self,
                kind=ConsentKind.INVOLVEMENT,
                method=ConsentMethod.ONLINE,
                recorded_by=None,
            )


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    project = factory.SubFactory(ProjectFactory)
    person = factory.SubFactory(PersonFactory)
    status = MembershipStatus.ACTIVE


class CoverageTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CoverageTarget

    project = factory.SubFactory(ProjectFactory)
    stakeholder_group = StakeholderGroup.LIVED_EXPERIENCE
    target = 5
