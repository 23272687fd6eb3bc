"""The language a consultation's parts are written in.

A consultation is written in one language (`Proposal.language`), with its
texts in the others in `translations` (consult.infra.translations). Its
sections, questions, attachments and versions carry that language in a column
of their own, so that a page showing them in the reader's language reads no
consultation row for it; the column is set when the row is made and moved
with the consultation's (proposals.services.drafts).
"""

from django.conf import settings
from django.db import models


def default_language() -> str:
    return settings.LANGUAGE_CODE


class WrittenInProposalLanguage(models.Model):
    language = models.CharField(max_length=10, default=default_language, editable=False)

    class Meta:
        abstract = True

    def __init__(self, *args, **kwargs) -> None:
        # Made with its consultation (`Section(proposal=…)`): in its language
        # from the start, so that texts set before saving (set_translation)
        # and rows that are bulk-created know it. Rows read from the
        # database come positionally and keep their own.
        proposal = kwargs.get("proposal")
        if proposal is not None and "language" not in kwargs:
            kwargs["language"] = proposal.language
        super().__init__(*args, **kwargs)

    def save(self, *args, **kwargs) -> None:
        if self._state.adding and getattr(self, "proposal_id", None):
            self.language = self.proposal.language
        super().save(*args, **kwargs)
