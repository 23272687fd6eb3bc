"""Documents attached to a consultation: added by its officials after the
file's content is checked against its name, removed with the stored file."""

from __future__ import annotations

import hashlib
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from consult.accounts.models import User
from consult.infra import files
from consult.infra.text import TextRule
from proposals.models import Attachment, Proposal
from proposals.services import common

FILE_TOO_LARGE = _("The file is %(size)s; the limit is %(limit)s.")
FILE_TYPE_UNKNOWN = _(
    "This file is not a PDF, an image (PNG, JPEG, GIF, WebP) or an office document."
)
FILE_TYPE_MISMATCH = _(
    "The file's content is a %(kind)s but its name ends in %(extension)s. Rename or re-export it."
)
ALT_TEXT_REQUIRED = _("Describe the image for people who cannot see it.")
ATTACHMENT_TITLE_REQUIRED = _("Give the attachment a title.")
ATTACHMENT_TITLE_TOO_LONG = _("An attachment's title can be at most %(limit)d characters.")
ALT_TEXT_TOO_LONG = _("The text alternative can be at most %(limit)d characters.")

# The rules for the title and text alternative in other languages. The
# source ones are cut to length as before; a translation is refused instead,
# since nobody would see it cut.
TITLE = TextRule("title", 200, ATTACHMENT_TITLE_TOO_LONG, one_line=True)
ALT_TEXT = TextRule("alt_text", 500, ALT_TEXT_TOO_LONG)

DEFAULT_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024


def _human_size(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MiB" if size >= 1024 * 1024 else f"{size / 1024:.0f} KiB"


def _checked_kind(upload: UploadedFile) -> tuple[files.FileKind, str]:
    """The kind of file the upload is, and the extension of its name, if it
    is small enough, of a kind we accept, and named for what it is."""
    limit = getattr(settings, "CONSULT_ATTACHMENT_MAX_BYTES", DEFAULT_ATTACHMENT_MAX_BYTES)
    if upload.size > limit:
        raise ValidationError(
            {
                "file": ValidationError(
                    FILE_TOO_LARGE,
                    params={"size": _human_size(upload.size), "limit": _human_size(limit)},
                )
            }
        )
    kind = files.sniff(upload.file)
    if kind is None:
        raise ValidationError({"file": ValidationError(FILE_TYPE_UNKNOWN)})
    extension = PurePath(upload.name or "").suffix.lower()
    if extension not in kind.extensions:
        raise ValidationError(
            {
                "file": ValidationError(
                    FILE_TYPE_MISMATCH,
                    params={"kind": kind.label, "extension": extension or _("(no extension)")},
                )
            }
        )
    return kind, extension


def _sha256(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _store(attachment: Attachment, upload: UploadedFile) -> None:
    attachment.file.save(attachment.sha256, upload, save=False)
    # If the row fails to write, the stored file must not linger.
    try:
        attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        raise


@transaction.atomic
def attachment_add(
    *,
    actor: User,
    proposal: Proposal,
    upload: UploadedFile,
    title: str,
    alt_text: str = "",
    translations: dict[str, dict[str, str]] | None = None,
) -> Attachment:
    """`translations`: the title and text alternative in other languages."""
    proposal = common.access_proposal_for_edit(actor=actor, proposal_id=proposal.pk)
    common.require_state(proposal, *common.EDITABLE)
    texts = common.translations_clean(proposal.language, translations, [TITLE, ALT_TEXT])
    kind, extension = _checked_kind(upload)
    title = (title or "").strip()[:200]
    if not title:
        raise ValidationError({"title": ValidationError(ATTACHMENT_TITLE_REQUIRED)})
    alt_text = (alt_text or "").strip()[:500]
    if kind.content_type.startswith("image/") and not alt_text:
        raise ValidationError({"alt_text": ValidationError(ALT_TEXT_REQUIRED)})
    attachment = Attachment(
        proposal=proposal,
        title=title,
        alt_text=alt_text,
        original_name=PurePath(upload.name or "file").name[:255],
        content_type=kind.content_type,
        extension=kind.extensions[0] if extension not in kind.extensions else extension,
        size=upload.size,
        sha256=_sha256(upload),
        uploaded_by=actor,
    )
    common.translations_apply(attachment, texts)
    _store(attachment, upload)
    common.audit(
        actor,
        "proposal.attachment_added",
        proposal,
        after={"title": title, "type": kind.content_type, "translations": attachment.translations},
    )
    return attachment


@transaction.atomic
def attachment_translate(
    *, actor: User, attachment: Attachment, translations: dict[str, dict[str, str]]
) -> Attachment:
    """Write an attachment's title and text alternative in other languages
    (a blank one removes it); the file and its own texts stay."""
    proposal = common.access_proposal_for_edit(actor=actor, proposal_id=attachment.proposal_id)
    common.require_state(proposal, *common.EDITABLE)
    attachment = proposal.attachments.get(pk=attachment.pk)
    before = dict(attachment.translations or {})
    texts = common.translations_clean(proposal.language, translations, [TITLE, ALT_TEXT])
    common.translations_apply(attachment, texts)
    attachment.save(update_fields=["translations"])
    common.audit(
        actor,
        "proposal.attachment_translated",
        proposal,
        before={"title": attachment.title, "translations": before},
        after={"title": attachment.title, "translations": attachment.translations},
    )
    return attachment


@transaction.atomic
def attachment_remove(*, actor: User, attachment: Attachment) -> None:
    proposal = common.access_proposal_for_edit(actor=actor, proposal_id=attachment.proposal_id)
    common.require_state(proposal, *common.EDITABLE)
    attachment = proposal.attachments.get(pk=attachment.pk)
    name, title = attachment.file.name, attachment.title
    attachment.delete()
    storage = Attachment._meta.get_field("file").storage
    transaction.on_commit(lambda: storage.delete(name))
    common.audit(actor, "proposal.attachment_removed", proposal, before={"title": title})
