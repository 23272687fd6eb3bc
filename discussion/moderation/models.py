"""A consultation's own pre-moderation rules (the deployment's are in
CONSULT_PREMODERATION; discussion.moderation.premoderation applies both)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from proposals.models import Proposal


class ModerationPolicy(models.Model):
    """A consultation's pre-moderation rules, on top of the deployment's
    (CONSULT_PREMODERATION): the stricter of the two applies."""

    proposal = models.OneToOneField(
        Proposal, on_delete=models.CASCADE, related_name="moderation_policy"
    )
    hold_all = models.BooleanField(
        _("hold every comment for review"),
        default=False,
        help_text=_("Comments appear only once a moderator approves them."),
    )
    min_account_age_days = models.PositiveSmallIntegerField(
        _("hold comments from accounts younger than (days)"), null=True, blank=True
    )
    max_links = models.PositiveSmallIntegerField(
        _("hold comments with more links than"), null=True, blank=True
    )
    blocked_terms = models.JSONField(_("blocked terms"), default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"moderation policy of {self.proposal_id}"
