"""Email leaves through a background task, never inside a request.

A request renders the message (in the recipient's language, with the
request's context) and enqueues it on commit; the task worker sends it.

The queue stores a task's arguments in the database until they are pruned,
and an email may carry a password-reset or verification link: so the
message is sealed (encrypted and signed with a key derived from SECRET_KEY)
before it is queued, and only the worker opens it.
"""

from __future__ import annotations

import base64
import hashlib
import json

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from django.tasks import task


def _fernet() -> Fernet:
    # The key's label is the module's first name: mail sealed before a move
    # must still open.
    key = hashlib.sha256(f"consult.mail:{settings.SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(fields: dict) -> str:
    return _fernet().encrypt(json.dumps(fields).encode()).decode()


def unseal(token: str) -> dict:
    return json.loads(_fernet().decrypt(token.encode()))


@task
def email_send(*, sealed: str) -> int:
    fields = unseal(sealed)
    message = EmailMultiAlternatives(
        fields["subject"],
        fields["body"],
        fields["from_email"],
        fields["to"],
        headers=fields["headers"],
    )
    if fields["html"]:
        message.attach_alternative(fields["html"], "text/html")
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
    sealed = seal(kwargs)
    transaction.on_commit(lambda: email_send.enqueue(sealed=sealed))


class DeferredEmail:
    """Looks like an EmailMessage to its sender; send() enqueues it instead."""

    def __init__(self, message: EmailMessage) -> None:
        self.message = message

    def __getattr__(self, name: str):
        return getattr(self.message, name)

    def send(self, fail_silently: bool = False) -> int:
        email_enqueue(self.message)
        return 1
