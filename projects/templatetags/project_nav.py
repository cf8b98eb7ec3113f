"""{% project_nav project section %}: the navigation at the top of each of a project's pages
(projects/_project_nav.html), put together here rather than by some thirty template tags
and conditions, which cost each project page about a fifth of a millisecond."""

from html import escape

from django import template
from django.template.defaultfilters import date
from django.utils.safestring import SafeString
from django.utils.timezone import localtime

from coprod.core.links import fixed_link_makers

register = template.Library()

# Each section of a project's pages: its name, the page its link goes to, its label.
SECTIONS = (
    ("overview", "projects:detail", "Overview"),
    ("people", "projects:roster", "People"),
    ("meetings", "projects:meetings", "Meetings"),
    ("payments", "projects:payments", "Payments"),
    ("decisions", "decisions:list", "Decisions"),
    ("evidence", "evidence:project_evidence", "Evidence"),
    ("report", "evidence:report", "Report"),
)
# The pages linked to: the list of projects, then each section's page.
_PAGES = ("projects:list", *(url_name for _, url_name, _ in SECTIONS))
_NAV = """<nav aria-label="Project: {name}" class="project-nav mb-4">
  <p class="mb-2"><a href="{projects_url}">Projects</a> <span aria-hidden="true">›</span> <a href="{project_url}">{name}</a></p>
  <ul class="nav nav-pills flex-wrap">
{items}  </ul>
</nav>
"""  # noqa: E501 - one line, as the page has it
_ITEM = (
    '    <li class="nav-item"><a class="nav-link{active}"{current} href="{url}">{label}</a></li>\n'
)
_ARCHIVED = (
    '<div class="alert alert-secondary">This project was archived on {day}. You can read '
    "everything in it, but nothing can be changed.</div>\n"
)


@register.simple_tag
def project_nav(project, section: str = "") -> SafeString:
    """The links to the project's sections, `section`'s marked as the page's own; then,
    if the project is archived, the notice that nothing in it can be changed."""
    slug, name = project.slug, escape(project.name)
    projects_url, *section_urls = fixed_link_makers(*_PAGES)
    items = "".join(
        _ITEM.format(
            active=" active" if own == section else "",
            current=' aria-current="page"' if own == section else "",
            url=escape(url(slug)),
            label=label,
        )
        for (own, _, label), url in zip(SECTIONS, section_urls, strict=True)
    )
    html = _NAV.format(
        name=name,
        projects_url=escape(projects_url(None)),
        project_url=escape(section_urls[0](slug)),
        items=items,
    )
    if project.archived_at:
        html += _ARCHIVED.format(day=escape(date(localtime(project.archived_at), "j F Y")))
    return SafeString(html)
