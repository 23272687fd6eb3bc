"""Every write to draft policies, by sub-domain.

- `drafts`: creating and editing a consultation, its topics and questions,
  the sections of its working text, and deleting a draft never made public.
- `versions`: publishing the working text as the next version.
- `lifecycle`: scheduling, closing early, extending, withdrawing, the report's
  publication, and the clock's own changes (`lifecycle_advance`).
- `stances`: taking, changing and withdrawing a stance.
- `followers`: following a consultation, and telling its followers what
  happened to it (a task of the worker, scheduled on commit).
- `attachments`: documents added to and removed from a consultation.
- `archives`: read-only consultations imported from another platform.
- `common`: what these share (the locked fetch for officials' changes, the
  state check, slugs, the search index, the live state event, the audit).

Each takes the acting user, checks permission against fresh data, validates,
writes inside one transaction and records official actions in the audit log.
"""
