"""Queue a Celery task by its name.

A services module never imports its app's tasks module, because that module imports the
services: each app loads its tasks module when Django starts (its `AppConfig.ready`), which
registers the tasks with Celery under their dotted names, and services queue them by name.
"""

from celery import current_app
from celery.result import AsyncResult


def task_delay(name: str, *args) -> AsyncResult:
    """Send task `name` to the broker (or run it at once when Celery is eager). Raises
    what the broker raises when it cannot be reached; callers that must not fail catch it."""
    return current_app.tasks[name].delay(*args)
