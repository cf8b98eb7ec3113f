from projects.models import Project, Stage


class StageUnknown(ValueError):
    pass


def project_stage_change(*, project: Project, stage: str) -> str:
    """Move the project to `stage` (forward, or back to put a mistake right) and return the
    stage it was at. A stage that does not exist changes nothing."""
    if stage not in Stage.values:
        raise StageUnknown(f"There is no stage called {stage!r}.")
    previous = project.stage
    if stage != previous:
        project.stage = stage
        project.save(update_fields=["stage"])
    return previous
