from decimal import ROUND_HALF_UP, Decimal
from html import escape as html_escape

from django import template
from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from coprod.core import pagecache
from coprod.core.csrf_slot import CSRF_SLOT, render_with_csrf_slot, with_csrf_token
from coprod.core.links import link_maker
from coprod.core.suppression import is_suppressed, suppress_small

register = template.Library()


@register.filter
def suppressed(count: int) -> int | str:
    """{{ count|suppressed }}: shows "fewer than 5" for counts from 1 to 4."""
    return suppress_small(count)


@register.filter(name="is_suppressed")
def is_suppressed_filter(figure) -> bool:
    """{% if figure|is_suppressed %}: the figure is a marker shown in its place, such as
    "fewer than 5", to be shown as it is rather than formatted as a number."""
    return is_suppressed(figure)


@register.filter
def money(value) -> str:
    """{{ amount|money }}: pounds and pence, like £1,234.50 (−£12.00 for a reversal); an
    amount withheld to protect small numbers shows the marker in its place."""
    if value is None or value == "":
        return ""
    if is_suppressed(value):
        return value
    amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "−" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.2f}"


@register.tag("pagecache")
def do_pagecache(parser, token):
    """{% pagecache "name" timeout vary_on... [unless=expr] %}…{% endpagecache %}

    With settings.PAGE_CACHE on, keeps the rendered part in the cache until the data changes
    (coprod.core.pagecache) or `timeout` seconds pass; off, renders it every time. The key
    always holds who is looking (the signed-in user, or anonymous), and each value after the
    timeout (the project, the page number...). With `unless=` true, for example
    `unless=form.is_bound`, the part is rendered afresh and not stored, so what someone
    typed is never cached. `{% csrf_token %}` inside works: each visitor gets their own.
    """
    bits = token.split_contents()
    if len(bits) < 3:
        raise template.TemplateSyntaxError(
            f"{bits[0]} needs a name and a timeout in seconds, then what the part varies on"
        )
    unless = None
    if bits[-1].startswith("unless="):
        unless = parser.compile_filter(bits.pop().removeprefix("unless="))
    nodelist = parser.parse(("endpagecache",))
    parser.delete_first_token()
    return PageCacheNode(
        nodelist,
        name=parser.compile_filter(bits[1]),
        timeout=parser.compile_filter(bits[2]),
        vary_on=[parser.compile_filter(bit) for bit in bits[3:]],
        unless=unless,
    )


def _viewer(context) -> str:
    request = context.get("request")
    user = getattr(request, "user", None)
    return f"user:{user.pk}" if user is not None and user.is_authenticated else "anonymous"


class PageCacheNode(template.Node):
    def __init__(self, nodelist, *, name, timeout, vary_on, unless) -> None:
        self.nodelist, self.name, self.timeout = nodelist, name, timeout
        self.vary_on, self.unless = vary_on, unless

    def render(self, context) -> str:
        if not settings.PAGE_CACHE or (self.unless is not None and self.unless.resolve(context)):
            return self.nodelist.render(context)
        key = pagecache.fragment_key(
            name=self.name.resolve(context),
            # Whoever is looking is always part of the key: no part is ever served to
            # someone other than the person it was rendered for.
            vary_on=[_viewer(context), *(value.resolve(context) for value in self.vary_on)],
        )
        html = cache.get(key)
        if html is None:
            with context.push(csrf_token=CSRF_SLOT):
                html = self.nodelist.render(context)
            cache.set(key, html, int(self.timeout.resolve(context)))
        # Rendered by our own templates, escaped then.
        return mark_safe(with_csrf_token(html, context.get("csrf_token")))  # noqa: S308


# What {% fixed_url %} and {% fixed_static %} worked out once: by (what, name, urlconf, prefix).
_fixed: dict[tuple, object] = {}


@receiver(setting_changed, dispatch_uid="coprod_tags_fixed_reset")
def _forget_fixed(**kwargs) -> None:
    _fixed.clear()


@register.tag("fixed_url")
def do_fixed_url(parser, token):
    """{% fixed_url "pages:dashboard" %} or {% fixed_url "projects:roster" project.slug %}:
    what `{% url %}` gives, reversed once per process (for the one slug or UUID it may
    take, through coprod.core.links). The layout and a project's navigation link to a dozen
    pages each, and each reverse() costs tens of microseconds."""
    bits = token.split_contents()
    if len(bits) == 2:
        return _FixedNode(bits, lambda name: conditional_escape(reverse(name)))
    if len(bits) == 3:
        return _FixedNode(bits, link_maker, row_id=parser.compile_filter(bits[2]))
    raise template.TemplateSyntaxError(f"{bits[0]} takes a quoted name and at most one id")


@register.tag("fixed_static")
def do_fixed_static(parser, token):
    """{% fixed_static "css/coprod.css" %}: what `{% static %}` gives, looked up once per
    process (the layout's stylesheets and scripts, on every page)."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError(f"{bits[0]} takes one quoted path")
    return _FixedNode(bits, lambda path: conditional_escape(static(path)))


class _FixedNode(template.Node):
    def __init__(self, bits, work_out, row_id=None) -> None:
        quoted = bits[1]
        if len(quoted) < 2 or quoted[0] not in "'\"" or quoted[0] != quoted[-1]:
            raise template.TemplateSyntaxError(f"{bits[0]} takes a quoted name")
        self.key = (bits[0], quoted[1:-1], row_id is not None)
        self.work_out, self.row_id = work_out, row_id

    def render(self, context) -> str:
        key = (*self.key, get_urlconf(), get_script_prefix())
        found = _fixed.get(key)
        if found is None:
            found = _fixed[key] = self.work_out(self.key[1])
        if self.row_id is None:
            return found
        return conditional_escape(found(self.row_id.resolve(context)))


@register.tag("fixed_include")
def do_fixed_include(parser, token):
    """{% fixed_include "includes/main_navigation.html" signed_in=user.is_authenticated
    role=user.role %}: the template rendered once per process for each set of the values
    given, with those values alone in its context. The layout's navigation bar is the same
    for everyone with the same role, and rendering its links and conditions afresh cost
    each page about a tenth of a millisecond. Nothing else of the page reaches the template,
    so nothing personal can be kept and shown to someone else; `{% csrf_token %}` inside
    still gives each visitor their own token."""
    bits = token.split_contents()
    if len(bits) < 2 or bits[1][0] not in "'\"" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError(f"{bits[0]} takes a quoted template name")
    values = {}
    for bit in bits[2:]:
        name, equals, expression = bit.partition("=")
        if not equals or not name.isidentifier():
            raise template.TemplateSyntaxError(f"{bits[0]} takes values as name=value")
        values[name] = parser.compile_filter(expression)
    return _FixedIncludeNode(bits[1][1:-1], values)


class _FixedIncludeNode(template.Node):
    def __init__(self, template_name: str, values: dict) -> None:
        self.template_name, self.values = template_name, values

    def render(self, context) -> str:
        values = {name: value.resolve(context) for name, value in self.values.items()}
        for name, value in values.items():
            # Plain values only: an object would be rendered with whatever it holds, and
            # kept for everyone with the same key.
            if not isinstance(value, str | int | bool | None):
                raise TypeError(f"fixed_include takes plain values; {name} is {type(value)}")
        key = ("fixed_include", self.template_name, *values.items())
        key += (get_urlconf(), get_script_prefix())
        html = _fixed.get(key)
        if html is None:
            html = _fixed[key] = render_with_csrf_slot(self.template_name, values)
        # Rendered by our own template, escaped then.
        return mark_safe(with_csrf_token(html, context.get("csrf_token")))  # noqa: S308


_PAGINATION = """<nav aria-label="{label}">
  <ul class="pagination">
    {previous}
    <li class="page-item active" aria-current="page"><span class="page-link">Page {number} of {pages}</span></li>
    {next}
  </ul>
</nav>
"""  # noqa: E501 - one line, as the page has it
_PAGE_LINK = '<li class="page-item"><a class="page-link" href="{href}">{text}</a></li>'


@register.simple_tag(takes_context=True)
def pagination_links(context) -> str:
    """includes/pagination.html's previous and next links for `page`, put together here
    rather than by a dozen template tags and conditions on every page of a list. From the
    context: `page`, and optionally `label`, `query` and `param` (see the template)."""
    page = context.get("page")
    if not page or not page.has_other_pages():
        return ""
    query, param = context.get("query"), context.get("param") or "page"

    def link(number: int, text: str) -> str:
        if query is None:
            # As {% querystring page=number %}: the request's query, with this page.
            params = context.request.GET.copy()
            params["page"] = number
            href = f"?{params.urlencode()}"
        else:
            href = f"?{query}&{param}={number}" if query else f"?{param}={number}"
        return _PAGE_LINK.format(href=html_escape(href), text=text)

    return mark_safe(  # noqa: S308 - every value escaped above
        _PAGINATION.format(
            label=html_escape(str(context.get("label") or "Pages")),
            previous=link(page.previous_page_number(), "Previous page")
            if page.has_previous()
            else "",
            number=page.number,
            pages=page.paginator.num_pages,
            next=link(page.next_page_number(), "Next page") if page.has_next() else "",
        )
    )
