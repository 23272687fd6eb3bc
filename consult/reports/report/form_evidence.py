"""The form responses behind a figure of the summary, for officials.

Every count of the summary's `form` part (consult.analysis.questionnaire)
links to the officials' page `reports:form-responses`, whose query string
names the responses behind it. The keys, combinable:

- no key: every submitted response;
- `kind=<individual|organisation>`, `channel=<web|post|email|phone|meeting>`:
  the responses of that respondent kind or channel (the `by_kind` and
  `by_channel` figures, overall or with a choice);
- `question=<id>`: the responses that answered the question (`answered`);
- `question=<id>&choice=<key>`: those that picked that choice (a choice's
  `count`; a ranking's `ranked`); add `&first=1` for those that ranked it
  first (a ranking's `first`);
- `organisation=<response id>`: that organisation's response (a row of
  `organisations`);
- `campaign=<n>`: the responses in campaign n of the latest summary
  (its `response_ids`); `suggested=<n>`: those behind suggested theme n.

So a choice's count by channel links to
`?question=12&choice=c2&channel=post`. Drafts are never listed; withheld
responses and hidden or held words are (the page is for officials only).
Whatever the data, the page takes the same number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from consult.analysis.questionnaire import CHANNELS, KINDS
from consult.reports.report.evidence import plain_number
from discussion.submissions.models import (
    FormAnswer,
    FormResponse,
    ResponseDocument,
    ResponseStatus,
)
from proposals.models import Proposal
from proposals.questionnaire.models import FormQuestion

PAGE_SIZE = 25


@dataclass
class Filters:
    question: FormQuestion | None = None
    choice: str = ""
    first: bool = False
    kind: str = ""
    channel: str = ""
    organisation: int | None = None
    campaign: int | None = None
    suggested: int | None = None

    def query(self) -> str:
        """The filters as a query string (for the next and previous pages)."""
        parts = [
            ("question", self.question.pk if self.question else None),
            ("choice", self.choice),
            ("first", "1" if self.first else ""),
            ("kind", self.kind),
            ("channel", self.channel),
            ("organisation", self.organisation),
            ("campaign", self.campaign),
            ("suggested", self.suggested),
        ]
        return urlencode([(key, value) for key, value in parts if value not in (None, "")])


def filters_from(proposal: Proposal, params) -> Filters | None:
    """The filters of a query string; None when one names nothing there is
    (a question of another consultation, a choice not on the question, ...)."""
    found = Filters(
        kind=params.get("kind", ""),
        channel=params.get("channel", ""),
        choice=params.get("choice", ""),
        first=params.get("first", "") == "1",
    )
    if found.kind not in ("", *KINDS) or found.channel not in ("", *CHANNELS):
        return None
    for name in ("organisation", "campaign", "suggested"):
        if params.get(name, "") != "":
            value = plain_number(params.get(name))
            if value is None:
                return None
            setattr(found, name, value)
    if params.get("question", "") != "":
        number = plain_number(params.get("question"))
        found.question = (
            FormQuestion.objects.filter(proposal=proposal, pk=number).first()
            if number is not None
            else None
        )
        if found.question is None:
            return None
    if found.choice and (
        found.question is None or found.choice not in found.question.choice_keys()
    ):
        return None
    return found


def title_of(filters: Filters) -> str:
    """What the list shows, in words."""
    if filters.question and filters.choice:
        title = _("Responses that answered “%(choice)s” to “%(question)s”") % {
            "choice": filters.question.label_of(filters.choice),
            "question": filters.question.prompt,
        }
        if filters.first:
            title = _("Responses that ranked “%(choice)s” first in “%(question)s”") % {
                "choice": filters.question.label_of(filters.choice),
                "question": filters.question.prompt,
            }
    elif filters.question:
        title = _("Responses that answered “%(question)s”") % {"question": filters.question.prompt}
    elif filters.campaign is not None:
        title = _("Responses in campaign %(number)s") % {"number": filters.campaign + 1}
    elif filters.suggested is not None:
        title = _("Responses behind suggested theme %(number)s") % {"number": filters.suggested + 1}
    elif filters.organisation is not None:
        title = _("The response of one organisation")
    else:
        title = _("Submitted responses to the form")
    return title


def _submitted(proposal: Proposal, filters: Filters) -> QuerySet:
    chosen = FormResponse.objects.filter(proposal=proposal, status=ResponseStatus.SUBMITTED)
    if filters.kind:
        chosen = chosen.filter(respondent_kind=filters.kind)
    if filters.channel:
        chosen = chosen.filter(channel=filters.channel)
    if filters.organisation is not None:
        chosen = chosen.filter(pk=filters.organisation, respondent_kind="organisation")
    return chosen


def _answering(filters: Filters, chosen: QuerySet) -> set[int]:
    """The responses among `chosen` whose answer to the question is given
    (and picks the choice): read as values, since a JSON list's members
    cannot be matched the same way on every database."""
    rows = FormAnswer.objects.filter(
        question=filters.question, response__in=chosen.values("pk")
    ).values_list("response_id", "choices", "number", "text")
    found = set()
    for response, choices, number, text in rows.iterator(chunk_size=10_000):
        if filters.choice:
            picked = choices or []
            if (picked[:1] if filters.first else picked).count(filters.choice):
                found.add(response)
        elif choices or number is not None or text:
            found.add(response)
    return found


def _from_summary(result: dict | None, filters: Filters) -> set[int] | None:
    """The responses a campaign or suggested theme of the summary counted;
    None when there is no such figure."""
    if result is None:
        return None
    if filters.campaign is not None:
        groups = (result.get("campaigns") or {}).get("groups") or []
        group = next((g for g in groups if g["id"] == filters.campaign), None)
        return None if group is None else set(group.get("response_ids") or [])
    suggested = (result.get("themes") or {}).get("suggested") or []
    if filters.suggested < len(suggested):
        return set(suggested[filters.suggested].get("response_ids") or [])
    return None


def response_ids(proposal: Proposal, filters: Filters, result: dict | None) -> list[int] | None:
    """The ids of the responses behind the figure, oldest first; None when
    the figure names a campaign or theme the summary does not have."""
    chosen = _submitted(proposal, filters)
    ids = list(chosen.order_by("submitted_at", "pk").values_list("pk", flat=True))
    if filters.question is not None:
        answering = _answering(filters, chosen)
        ids = [pk for pk in ids if pk in answering]
    if filters.campaign is not None or filters.suggested is not None:
        wanted = _from_summary(result, filters)
        if wanted is None:
            return None
        ids = [pk for pk in ids if pk in wanted]
    return ids


def responses_page(ids: list[int]) -> list[FormResponse]:
    """Those responses with their answers (in the form's order) and documents,
    in three queries."""
    answers = FormAnswer.objects.select_related("question").order_by("question__order", "pk")
    found = {
        response.pk: response
        for response in FormResponse.objects.filter(pk__in=ids)
        .select_related("entered_by", "respondent")
        .prefetch_related(
            Prefetch("answers", queryset=answers),
            Prefetch("documents", queryset=ResponseDocument.objects.order_by("pk")),
        )
    }
    return [found[pk] for pk in ids if pk in found]
