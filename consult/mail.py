"""Email leaves through a background task, never inside a request.

A request renders the message (in the recipient's language, with the
request's context) and enqueues it on commit; the task worker sends it.
"""

from __future__ import annotations

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from django.tasks import task


@task
def email_send(
    *,
    subject: str,
    body: str,
    from_email: str | None,
    to: list[str],
    html: str | None = None,
    headers: dict[str, str] | None = None,
) -> int:
    message = EmailMultiAlternatives(subject, body, from_email, to, headers=headers)
    if html:
        message.attach_alternative(html, "text/html")
    return message.send()


def email_enqueue(message: EmailMessage) -> None:
    html = next(
        (
            content
            for content, mimetype in getattr(message, "alternatives", [])
            if mimetype == "text/html"
        ),
        None,
    )
    if message.content_subtype == "html":
        # allauth sends HTML-only messages as the main body when no .txt exists.
        html = html or message.body
    kwargs = {
        "subject": message.subject,
        "body": message.body,
        "from_email": message.from_email,
        "to": list(message.to),
        "html": html,
        "headers": dict(message.extra_headers) or None,
    }
    transaction.on_commit(lambda: email_send.enqueue(**kwargs))


class DeferredEmail:
    """Looks like an EmailMessage to its sender; send() enqueues it instead."""

    def __init__(self, message: EmailMessage) -> None:
        self.message = message

    def __getattr__(self, name: str):
        return getattr(self.message, name)

    def send(self, fail_silently: bool = False) -> int:
        email_enqueue(self.message)
        return 1
