from django import forms
from django.forms.models import ModelChoiceIterator

from projects.models import ARCHIVED_NOTHING_CAN_CHANGE, Project


class _CurrentProjects(ModelChoiceIterator):
    def __init__(self, field: forms.ModelChoiceField):
        super().__init__(field)
        self.queryset = self.queryset.current()


class CurrentProjectChoiceField(forms.ModelChoiceField):
    """A project from `queryset`, offering only those not archived. An archived one is still
    recognised when sent (from a page opened before it was archived), so that the person is
    told why it cannot be chosen rather than that it is unknown."""

    iterator = _CurrentProjects

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Project.objects.none())
        kwargs.setdefault("to_field_name", "slug")
        super().__init__(**kwargs)

    def label_from_instance(self, project: Project) -> str:
        return project.name

    def validate(self, value: Project | None) -> None:
        super().validate(value)
        if value is not None and value.is_archived:
            raise forms.ValidationError(ARCHIVED_NOTHING_CAN_CHANGE, code="archived")
