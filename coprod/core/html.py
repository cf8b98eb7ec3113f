"""HTML put together in Python, for the rows of long tables: the template engine's cost per
tag and variable adds up over a page of rows, so busy pages build each row here instead."""

import html

from django.utils.safestring import SafeData, SafeString


def html_row(fragment: str, **values) -> SafeString:
    """format_html(fragment, **values) for the rows of a page: each value is escaped as
    format_html does (unless it is already safe HTML), without its per-value overhead,
    which comes to about a millisecond over a page of rows."""
    return SafeString(
        fragment.format(
            **{
                name: value if isinstance(value, SafeData) else html.escape(str(value))
                for name, value in values.items()
            }
        )
    )
