"""Asking for a copy of one's data: a request queues a background build of a
ZIP (at most one in progress per person, a few a day); the archive itself,
its link and its build: consult.privacy.services.archives."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consult.accounts.models import User
from consult.privacy.models import IN_PROGRESS, DataExport, ExportState
from consult.privacy.services.archives import (
    EXPORTS_PER_DAY,
    STALE_AFTER,
    export_token,
    token_digest,
)
from consult.privacy.tasks import export_build

SIGN_IN = _("Sign in to ask for a copy of your data.")
EXPORT_IN_PROGRESS = _(
    "A copy of your data is already being prepared. Wait for it to be ready before asking again."
)
EXPORTS_TOO_MANY = _(
    "You can ask for a copy of your data at most %(limit)d times a day. Please try again tomorrow."
)


def _give_up_stale(user_id: int) -> None:
    stale = timezone.now() - STALE_AFTER
    DataExport.objects.filter(user_id=user_id, state__in=IN_PROGRESS, created_at__lt=stale).update(
        state=ExportState.FAILED, finished_at=timezone.now()
    )


@transaction.atomic
def export_request(*, actor: User, language: str = "") -> DataExport:
    """Queue a build of the person's archive, unless one is under way or they
    asked too often today."""
    if not getattr(actor, "is_authenticated", False) or not actor.is_active or actor.is_deleted:
        raise PermissionDenied(SIGN_IN)
    # Locked: two forms sent at once are counted one after the other.
    User.objects.select_for_update().filter(pk=actor.pk).first()
    _give_up_stale(actor.pk)
    mine = DataExport.objects.filter(user=actor)
    if mine.filter(state__in=IN_PROGRESS).exists():
        raise ValidationError(EXPORT_IN_PROGRESS, code="in_progress")
    today = mine.filter(created_at__gt=timezone.now() - timedelta(days=1)).count()
    if today >= EXPORTS_PER_DAY:
        raise ValidationError(EXPORTS_TOO_MANY, code="too_many", params={"limit": EXPORTS_PER_DAY})
    export = DataExport(user=actor, nonce=secrets.token_urlsafe(32), language=language[:16])
    export.token_digest = token_digest(export_token(export))
    try:
        with transaction.atomic():
            export.save()
    except IntegrityError:
        # Another request of the same person won the race (one in progress at a time).
        raise ValidationError(EXPORT_IN_PROGRESS, code="in_progress") from None
    pk = export.pk
    transaction.on_commit(lambda: export_build.enqueue(export_id=pk))
    return export
