import django_filters
from django import forms
from django.db.models import BooleanField, OuterRef, Q, QuerySet, Subquery, Value
from django.utils.html import format_html

from projects.models import Membership, MembershipStatus
from projects.services.roster_import import (
    COLUMNS,
    MAX_BYTES,
    MAX_SIZE_IN_WORDS,
    TOO_BIG,
    RosterFileError,
    roster_file_read,
)
from stakeholders.models import AccessNeed, Availability, Person, StakeholderGroup

MAX_TARGET = 500


class CoverageTargetsForm(forms.Form):
    def __init__(self, *args, targets: dict[str, int], **kwargs):
        super().__init__(*args, **kwargs)
        for group in StakeholderGroup:
            self.fields[group.value] = forms.IntegerField(
                label=group.label,
                min_value=0,
                max_value=MAX_TARGET,
                initial=targets.get(group.value, 0),
                error_messages={
                    "invalid": "Enter a whole number, like 3.",
                    "min_value": "Enter 0 or more.",
                    "max_value": f"Enter {MAX_TARGET} or fewer.",
                },
            )


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        error_messages={
            "required": "Choose a CSV file to upload.",
            "invalid": "Choose a CSV file to upload.",
            "empty": "The file is empty.",
        },
    )

    def __init__(self, *args, template_url: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = format_html(
            "A CSV file saved as UTF-8, up to {}, with a heading row and these columns: {}. "
            '<a href="{}">Download a template CSV file</a>.',
            MAX_SIZE_IN_WORDS,
            ", ".join(COLUMNS),
            template_url,
        )
        self.upload = None

    def clean_file(self):
        """The file read as CSV (its headings checked); the rows are checked in the
        background. The upload itself is kept in `upload`, to be stored for that."""
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(TOO_BIG)
        try:
            roster_file = roster_file_read(upload.read())
        except RosterFileError as error:
            raise forms.ValidationError(str(error)) from None
        self.upload = upload
        return roster_file


def _people_matching(memberships: QuerySet, condition: Q) -> QuerySet:
    """The memberships whose person meets `condition` (on Person's fields), each person
    looked up by a subquery per membership: as a join, PostgreSQL reads every person in
    the organisation to filter one project's few hundred (on the large demo, a page
    filtered by group took 2.8 ms, by name 7 ms, against about 1 ms each this way)."""
    matches = Person.objects.filter(condition, pk=OuterRef("person_id")).values(matched=Value(True))
    return memberships.filter(Subquery(matches, output_field=BooleanField()))


class RosterFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(method="filter_name", label="Name")
    group = django_filters.ChoiceFilter(
        method="filter_group",
        choices=StakeholderGroup.choices,
        label="Group",
        empty_label="Any group",
    )
    status = django_filters.ChoiceFilter(
        choices=MembershipStatus.choices, label="Status", empty_label="Any status"
    )
    free = django_filters.MultipleChoiceFilter(
        choices=Availability.choices,
        method="filter_free",
        label="Free at any of these times",
        widget=forms.CheckboxSelectMultiple,
    )
    access = django_filters.MultipleChoiceFilter(
        choices=AccessNeed.choices,
        method="filter_access",
        label="Needs all of this support",
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Membership
        fields: list[str] = []

    def filter_name(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return _people_matching(
            queryset, Q(full_name__icontains=value) | Q(preferred_name__icontains=value)
        )

    def filter_group(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return _people_matching(queryset, Q(stakeholder_group=value))

    def filter_free(self, queryset: QuerySet, name: str, values: list[str]) -> QuerySet:
        any_time = Q()
        for value in values:
            any_time |= Q(**{value: True})
        return _people_matching(queryset, any_time)

    def filter_access(self, queryset: QuerySet, name: str, values: list[str]) -> QuerySet:
        return _people_matching(queryset, Q(**dict.fromkeys(values, True)))
