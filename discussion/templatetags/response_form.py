"""The response form's call to action on the consultation's page (which
belongs to `proposals`, and so cannot ask `discussion` from its view)."""

from __future__ import annotations

from django import template
from django.db.models import CharField, Exists, OuterRef, Subquery, Value

from consult.accounts import roles
from consult.accounts.models import Membership, Role
from discussion.submissions.models import FormResponse
from proposals.models import Proposal
from proposals.questionnaire.models import FormQuestion

register = template.Library()


@register.simple_tag(takes_context=True)
def response_form_state(context, proposal: Proposal) -> dict:
    """Whether the consultation has a published form, the reader's own
    response's status ("draft", "submitted" or None) and whether they are a
    data entry clerk of its department: one query, whatever the form's size."""
    user = context["request"].user
    mine = Value(None, output_field=CharField())
    clerk = Value(False)
    if user.is_authenticated:
        mine = Subquery(
            FormResponse.objects.filter(proposal=OuterRef("pk"), respondent=user.pk).values(
                "status"
            )[:1]
        )
    if roles.acts_in_roles(user):
        clerk = Exists(
            Membership.objects.filter(
                user_id=user.pk,
                role=Role.CLERK,
                department_id__in=proposal.department.ancestor_ids(),
            )
        )
    row = (
        Proposal.objects.filter(pk=proposal.pk)
        .annotate(
            has_form=Exists(
                FormQuestion.objects.filter(proposal=OuterRef("pk"), published_in__isnull=False)
            ),
            mine=mine,
            clerk=clerk,
        )
        .values("has_form", "mine", "clerk")
        .first()
    )
    return row or {"has_form": False, "mine": None, "clerk": False}
