"""The organisation's learning library, and the prompt to add to it when a project moves on
to its next stage."""

import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from coprod.core.access import get_object_for_user, permission_required
from evidence.forms import LearningEntryForm, LearningFilterForm
from evidence.models import LearningEntry, Tag
from evidence.selectors import learning_page
from evidence.services import learning_entry_create

LEARNING_FOR_STAFF = "The learning library is for staff who run co-production projects."


@permission_required("evidence.use_learning", denied=LEARNING_FOR_STAFF)
def learning(request: HttpRequest) -> HttpResponse:
    tag_names = list(Tag.objects.values_list("name", flat=True))
    filter_form = LearningFilterForm(request.GET, tag_names=tag_names)
    filters = filter_form.filters()
    page = learning_page(**filters, page_number=request.GET.get("page"))
    return render(
        request,
        "evidence/learning.html",
        {
            "filter_form": filter_form,
            "filtered": any(filters.values()),
            "page": page,
        },
    )


@permission_required("evidence.use_learning", denied=LEARNING_FOR_STAFF)
def learning_add(request: HttpRequest) -> HttpResponse:
    initial = {
        "project": request.GET.get("project", ""),
        "stage": request.GET.get("stage", ""),
    }
    form = LearningEntryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        entry = learning_entry_create(
            created_by=request.user, tag_names=data.pop("tag_text"), **data
        )
        messages.success(request, "Thank you. Your learning is in the library for everyone.")
        return redirect("evidence:learning_entry", entry_id=entry.public_id)
    return render(request, "evidence/learning_form.html", {"form": form})


@permission_required("evidence.use_learning", denied=LEARNING_FOR_STAFF)
def learning_entry(request: HttpRequest, entry_id: uuid.UUID) -> HttpResponse:
    entry = get_object_for_user(
        request,
        LearningEntry.objects.select_related("project", "created_by").prefetch_related("tags"),
        "evidence.use_learning",
        denied=LEARNING_FOR_STAFF,
        public_id=entry_id,
    )
    return render(request, "evidence/learning_entry.html", {"entry": entry})
