"""Recording official, moderator and admin actions in the append-only log."""

from django.db import models

from consult.accounts.models import AuditEntry, Department, User


def audit_record(
    *,
    actor: User | None,
    action: str,
    target: models.Model,
    department: Department | None = None,
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
    scope: str = "",
) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        department=department,
        before=before or {},
        after=after or {},
        reason=reason,
        scope=scope,
    )
