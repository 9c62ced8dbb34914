"""The events calendar as iCalendar (RFC 5545), built with the ``icalendar`` package."""

from __future__ import annotations

import datetime as dt

import icalendar
from django.utils import timezone


def calendar(process, events, base_url: str) -> bytes:
    """A VCALENDAR with one VEVENT per event; times in UTC, stable UIDs, URL to the event page."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//atout//community events//FR")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", process.title)
    host = base_url.split("//", 1)[-1].strip("/") or "atout"
    stamp = timezone.now()
    for event in events:
        item = icalendar.Event()
        item.add("uid", f"event-{event.pk}@{host}")
        item.add("dtstamp", stamp)
        item.add("dtstart", event.start.astimezone(dt.UTC))
        item.add("dtend", event.end.astimezone(dt.UTC))
        item.add("summary", event.title)
        item.add("location", f"{event.venue}, {event.commune.name}")
        if event.description:
            item.add("description", event.description)
        item.add("url", base_url.rstrip("/") + event.get_absolute_url())
        item.add("categories", [event.get_kind_display()])
        cal.add_component(item)
    return cal.to_ical()
