import factory

from evidence.models import ReportGrant
from projects.models import Project, Stage


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    name = factory.Sequence(lambda n: f"Project {n}")
    slug = factory.Sequence(lambda n: f"project-{n}")
    summary = "Working together on a service that matters."
    stage = Stage.DESIGN
    is_open_to_join = True


class ReportGrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportGrant

    project = factory.SubFactory(ProjectFactory)
    commissioner = factory.SubFactory("tests.factories.people.CommissionerFactory")
