from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from hypothesis import given
from hypothesis import strategies as st

from coprod.core.html import html_row


@given(st.text(), st.integers())
def test_html_row_writes_what_format_html_writes(text, number):
    fragment = '<td title="{text}">{text} {number} {safe}</td>'
    safe = mark_safe("<b>kept</b>")
    assert html_row(fragment, text=text, number=number, safe=safe) == format_html(
        fragment, text=text, number=number, safe=safe
    )


def test_html_row_escapes_what_is_not_safe_and_is_safe_itself():
    row = html_row("<td>{name}</td>", name='<script>alert("x")</script> & co')
    assert row == "<td>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co</td>"
    assert isinstance(row, SafeString)
