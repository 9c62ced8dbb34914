"""``{% process_menu process %}`` (the per-process menu of the base layout) and ``{% may_open %}``
(whether to show a link inside a page): see :mod:`atout.processes.navigation`."""

from django import template
from django.urls import NoReverseMatch

from atout.processes import navigation

register = template.Library()


@register.inclusion_tag("processes/_menu.html", takes_context=True)
def process_menu(context, process):
    request = context.get("request")
    if request is None or process is None or not getattr(process, "slug", None):
        return {"sections": []}
    # A page sets ``menu_open`` to show the menu unfolded (the team home: the team's tools at a glance).
    return {"sections": navigation.menu_for(request, process), "process": process, "open": context.get("menu_open", False)}


@register.simple_tag(takes_context=True)
def may_open(context, url_name, process=None, **kwargs):
    """``{% may_open 'opinion:new' process as can_create %}``; the URL's other arguments as keywords
    (``conversation=c.slug``). The process's slug is added when the URL takes one."""
    request = context.get("request")
    process = process or context.get("process")
    if request is None:
        return False
    attempts = [{"slug": process.slug, **kwargs}, kwargs] if process is not None and "slug" not in kwargs else [kwargs]
    for arguments in attempts:
        try:
            needed = navigation.declared_access(url_name, **arguments)
        except NoReverseMatch:
            continue
        return navigation.allows(navigation.role_of(request, process), needed)
    return False
