"""The one permission layer: every view asks the `rules` predicates through these helpers."""

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

import rules
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.shortcuts import get_object_or_404

M = TypeVar("M", bound=Model)


def permission_required(perm: str, *, denied: str) -> Callable:
    """Anonymous visitors go to the login page; signed-in people without `perm` get a 403.

    `denied` is the plain-English reason shown on the 403 page.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not rules.has_perm(perm, request.user):
                raise PermissionDenied(denied)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def get_object_for_user(request, queryset: QuerySet[M], perm: str, *, denied: str, **lookup) -> M:
    """Fetch one object (404 if it does not exist) and check `perm` on it (403 if not allowed)."""
    obj = get_object_or_404(queryset, **lookup)
    if not rules.has_perm(perm, request.user, obj):
        raise PermissionDenied(denied)
    return obj
