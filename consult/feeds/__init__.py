"""Feeds of the public site: Atom for readers, iCalendar for calendars (see views)."""
