"""The floor plan holds: no module imports one that imports it back, the apps depend one
way (import-linter's contracts in pyproject.toml), and tasks named in strings exist."""

import itertools
import re
import subprocess
import sys
from pathlib import Path

import grimp
from celery import current_app
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ["coprod", "stakeholders", "projects", "decisions", "evidence", "bench"]


def import_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Groups of modules that reach each other through imports (Tarjan's strongly
    connected components), counting imports inside functions as well as at the top."""
    order = itertools.count()
    index: dict[str, int] = {}
    lowest: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles = []

    def visit(module: str) -> None:
        index[module] = lowest[module] = next(order)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                lowest[module] = min(lowest[module], lowest[imported])
            elif imported in on_stack:
                lowest[module] = min(lowest[module], index[imported])
        if lowest[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return cycles


def test_no_module_imports_one_that_imports_it_back():
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    assert len(graph.modules) > 100
    assert import_cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    graph = grimp.ImportGraph()
    for module in ["a", "a.services", "a.tasks", "a.views"]:
        graph.add_module(module)
    graph.add_import(importer="a.services", imported="a.tasks")
    graph.add_import(importer="a.tasks", imported="a.services")
    graph.add_import(importer="a.views", imported="a.services")
    assert import_cycles(graph) == [["a.services", "a.tasks"]]


def test_apps_depend_one_way():
    run = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout


def test_every_scheduled_task_exists():
    registered = current_app.tasks
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in registered, name


def test_every_task_queued_by_name_exists():
    queued = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            queued |= set(re.findall(r'task_delay[(,]\s*"([\w.]+)"', path.read_text()))
    assert queued
    assert queued <= set(current_app.tasks)
