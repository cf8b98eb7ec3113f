"""A commissioner reads the reports they were granted, and only those, in a real browser."""

import io
import re
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from stakeholders.models import StakeholderGroup
from tests.factories.people import PASSWORD
from tests.factories.roster import CoverageTargetFactory, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in_as(page, audit, user, *, lands_on: str = "/reports/") -> None:
    page.goto("/accounts/login/")
    audit()
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(re.escape(lands_on) + "$"))
    audit()


def test_a_commissioner_reads_a_granted_report_and_downloads_it(page, audit, screenshot, personas):
    for _ in range(5):
        MembershipFactory(project=personas.project)
    CoverageTargetFactory(
        project=personas.project, stakeholder_group=StakeholderGroup.LIVED_EXPERIENCE, target=8
    )

    log_in_as(page, audit, personas.commissioner)
    expect(page.get_by_role("link", name="Crisis support")).to_be_visible()
    expect(page.get_by_role("link", name="Housing repairs")).to_have_count(0)
    screenshot("reports")

    page.get_by_role("link", name="Crisis support").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report: Crisis support")
    audit()
    chart = page.get_by_role("img", name=re.compile("^Bar chart of active people"))
    expect(chart).to_be_visible()
    # Drawn on the server, and as the browser lays it out (page styles included): one bar,
    # for the 7 people with lived experience, 7/8 of the way along an axis to 8.
    assert chart.evaluate("svg => svg.querySelectorAll('rect.bar').length") == 1
    drawn = chart.evaluate(
        """svg => {
            const grid = [...svg.querySelectorAll("line.gridline")].map(line => line.getBBox().x);
            const ticks = [...svg.querySelectorAll("text.tick")].map(tick => tick.textContent);
            const bar = svg.querySelector("rect.bar").getBBox();
            return [bar.width / (grid[grid.length - 1] - grid[0]), ticks[ticks.length - 1]];
        }"""
    )
    assert drawn[1] == "8"
    assert drawn[0] == pytest.approx(7 / 8, abs=0.005)
    assert chart.evaluate("svg => svg.getBoundingClientRect().right") <= page.viewport_size["width"]
    engagement = page.get_by_role(
        "table", name="Active people in each stakeholder group, against the target"
    )
    lived_experience = engagement.get_by_role("row", name=re.compile("Person with lived"))
    expect(lived_experience).to_be_visible()
    screenshot("report")

    with page.expect_download() as pdf:
        page.get_by_role("link", name="Download as PDF").click()
    assert pdf.value.suggested_filename.endswith(".pdf")
    assert Path(pdf.value.path()).read_bytes().startswith(b"%PDF-")

    with page.expect_download() as csv_zip:
        page.get_by_role("link", name=re.compile("Download as spreadsheets")).click()
    assert csv_zip.value.suggested_filename.endswith(".zip")
    with zipfile.ZipFile(io.BytesIO(Path(csv_zip.value.path()).read_bytes())) as archive:
        names = archive.namelist()
        assert "engagement.csv" in names
        assert "Person with lived experience" in archive.read("engagement.csv").decode()

    response = page.goto(f"/reports/{personas.other_project.slug}/")
    assert response.status == 403
    audit()
    screenshot("refused")
    expect(page.get_by_text("Housing repairs")).to_have_count(0)


def test_a_commissioner_without_grants_sees_no_reports_and_is_refused(page, audit, personas):
    log_in_as(page, audit, personas.ungranted_commissioner)
    expect(page.get_by_role("link", name="Crisis support")).to_have_count(0)
    expect(page.get_by_role("link", name="Housing repairs")).to_have_count(0)

    for project in (personas.project, personas.other_project):
        response = page.goto(f"/reports/{project.slug}/")
        assert response.status == 403
        audit()
        expect(page.get_by_role("heading", level=1)).not_to_contain_text(project.name)
