import factory
from allauth.account.models import EmailAddress

from stakeholders.models import Role, User

PASSWORD = "a-long-test-password-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name = factory.Faker("name", locale="en_GB")
    role = Role.PARTICIPANT
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if create:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class StaffFactory(UserFactory):
    role = Role.STAFF


class ParticipantFactory(UserFactory):
    role = Role.PARTICIPANT


class CommissionerFactory(UserFactory):
    role = Role.COMMISSIONER
