"""includes/pagination.html, put together by {% pagination_links %}: previous and next links
that keep the rest of the query, every value escaped, nothing for a list of one page."""

import pytest
from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory


def _render(number: int, *, total: int = 100, path: str = "/x/", **context) -> str:
    page = Paginator(list(range(total)), 25).get_page(number)
    request = RequestFactory().get(path)
    return render_to_string("includes/pagination.html", {"page": page, **context}, request)


def test_a_list_of_one_page_has_no_links():
    assert _render(1, total=25).strip() == ""


def test_the_links_keep_the_request_query_and_change_its_page():
    html = _render(2, path="/x/?status=active&q=%3Cb%3E&page=2")

    assert 'href="?status=active&amp;q=%3Cb%3E&amp;page=1">Previous page</a>' in html
    assert 'href="?status=active&amp;q=%3Cb%3E&amp;page=3">Next page</a>' in html
    assert '<span class="page-link">Page 2 of 4</span>' in html
    assert '<nav aria-label="Pages">' in html


def test_the_first_and_last_pages_link_one_way_only():
    assert "Previous page" not in _render(1) and "Next page" in _render(1)
    assert "Previous page" in _render(4) and "Next page" not in _render(4)


@pytest.mark.parametrize(
    ("context", "previous"),
    [
        ({"query": ""}, 'href="?page=1"'),
        (
            {"query": "a=1&b=<2>", "param": "meetings_page"},
            'href="?a=1&amp;b=&lt;2&gt;&amp;meetings_page=1"',
        ),
    ],
)
def test_a_query_given_is_used_with_its_page_parameter(context, previous):
    assert previous in _render(2, path="/x/?ignored=yes", **context)


def test_the_label_is_escaped():
    html = _render(2, label='Meetings <"past">')

    assert '<nav aria-label="Meetings &lt;&quot;past&quot;&gt;">' in html
