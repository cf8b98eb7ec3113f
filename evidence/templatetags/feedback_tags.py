"""What people said after meetings, for pages of the apps below evidence (the staff's
meeting page in projects, the decision log in decisions): tags rather than their views
asking for it, since those apps never import evidence."""

from django import template

from evidence.selectors.feedback import meeting_feedback_summary, report_meeting_feedback

register = template.Library()


@register.inclusion_tag("evidence/_meeting_feedback_summary.html")
def meeting_feedback(meeting, came=None) -> dict:
    """`came`: how many people came, when the page has counted them already."""
    return {"meeting": meeting, "summary": meeting_feedback_summary(meeting, came=came)}


@register.inclusion_tag("evidence/report_feedback.html")
def project_meeting_feedback(project) -> dict:
    """The report's "what participants said" section for one project, for pages of apps
    below evidence (the decision log's power-sharing figures): one query."""
    return {"report": {"feedback": report_meeting_feedback(project)}}
