import django_filters
from django import forms
from django.db.models import Q, QuerySet

from stakeholders.models import (
    AccessNeed,
    Availability,
    Membership,
    MembershipStatus,
    StakeholderGroup,
)


class RosterFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(method="filter_name", label="Name")
    group = django_filters.ChoiceFilter(
        field_name="person__stakeholder_group",
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
        return queryset.filter(
            Q(person__full_name__icontains=value) | Q(person__preferred_name__icontains=value)
        )

    def filter_free(self, queryset: QuerySet, name: str, values: list[str]) -> QuerySet:
        any_time = Q()
        for value in values:
            any_time |= Q(**{f"person__{value}": True})
        return queryset.filter(any_time)

    def filter_access(self, queryset: QuerySet, name: str, values: list[str]) -> QuerySet:
        return queryset.filter(**{f"person__{value}": True for value in values})
