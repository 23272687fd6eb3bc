"""Officials build a consultation's response form: questions added, changed,
moved and removed, published with the next version, frozen once answered."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consult.accounts.models import User
from consult.infra.text import TextRule
from consult.infra.translations import languages
from proposals.models import Proposal, ProposalVersion, Section
from proposals.questionnaire.models import (
    CHOICE_KINDS,
    CHOICE_MAX_LENGTH,
    HELP_MAX_LENGTH,
    MAX_CHOICES,
    PROMPT_MAX_LENGTH,
    TEXT_LIMIT_DEFAULT,
    TEXT_LIMIT_MAX,
    FormQuestion,
    QuestionKind,
)
from proposals.services import common

PROMPT_REQUIRED = _("Write the question.")
PROMPT_TOO_LONG = _("The question can be at most %(limit)d characters.")
HELP_TOO_LONG = _("The help text can be at most %(limit)d characters.")
CHOICE_TOO_LONG = _("Each answer can be at most %(limit)d characters.")
KIND_UNKNOWN = _("Choose what kind of question this is.")
TOO_FEW_CHOICES = _("Give at least two answers to choose from, one per line.")
TOO_MANY_CHOICES = _("Give at most %(limit)d answers to choose from.")
CHOICE_TWICE = _("The answer “%(label)s” is given twice.")
TEXT_LIMIT_RANGE = _("The longest answer must be from 1 to %(limit)d characters.")
NUMBER_BOUND_INVALID = _("Enter the bounds as numbers, such as 0 or 12.5.")
NUMBER_BOUNDS_ORDER = _("The smallest number allowed must not be above the largest.")
SECTION_ELSEWHERE = _("That section is not part of this consultation.")
CONDITION_QUESTION = _(
    "A question can depend only on an earlier question of this form that has answers to choose."
)
CONDITION_CHOICES = _("Pick the answers to the earlier question that show this one.")
FROZEN = _(
    "People have already answered this question, so its kind, wording and answers "
    "can no longer change. Add a new question instead; it will be part of the next version."
)
FROZEN_TRANSLATION = _(
    "People have already answered this question, so its wording in %(language)s can no longer "
    "change. A translation not yet written may still be added."
)
TOO_MANY_CHOICE_TRANSLATIONS = _(
    "There are more translated answers than answers: give one line per answer, in the same order."
)
FROZEN_REMOVE = _("People have already answered this question, so it cannot be removed.")
DEPENDED_ON = _("Another question depends on the answers to this one: change or remove it first.")

# Kinds whose answers another question may depend on.
CONDITION_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.SCALE)

PROMPT = TextRule("prompt", PROMPT_MAX_LENGTH, PROMPT_TOO_LONG, required=PROMPT_REQUIRED)
HELP = TextRule("help_text", HELP_MAX_LENGTH, HELP_TOO_LONG)
CHOICE = TextRule("choices", CHOICE_MAX_LENGTH, CHOICE_TOO_LONG, one_line=True)


@dataclass
class QuestionInput:
    """A question as the builder's form or a test gives it. ``choices`` are
    the answers' labels in order (single, multiple and ranking questions)."""

    kind: str
    prompt: str
    help_text: str = ""
    required: bool = False
    choices: list[str] = field(default_factory=list)
    text_limit: int | None = None
    min_value: str | Decimal | None = None
    max_value: str | Decimal | None = None
    section_id: int | None = None
    shown_if_id: int | None = None
    shown_if_choices: list[str] = field(default_factory=list)
    # The prompt, help text and answers' labels (in the answers' order) in
    # other languages: {"zh-hans": {"prompt": …, "help_text": …, "choices": [...]}}.
    # None keeps those written before.
    translations: dict[str, dict] | None = None


def _kind(value: str) -> str:
    if value not in QuestionKind.values:
        raise ValidationError({"kind": ValidationError(KIND_UNKNOWN)})
    return value


def _choices(labels: list[str], old: list | None) -> list[list[str]]:
    """[[key, label], ...]: a label kept from before keeps its key, a new one
    gets the next unused key."""
    cleaned: list[str] = []
    for label in labels:
        label = CHOICE.clean(label)
        if not label:
            continue
        if label in cleaned:
            raise ValidationError(
                {"choices": ValidationError(CHOICE_TWICE, params={"label": label})}
            )
        cleaned.append(label)
    if len(cleaned) < 2:
        raise ValidationError({"choices": ValidationError(TOO_FEW_CHOICES)})
    if len(cleaned) > MAX_CHOICES:
        raise ValidationError(
            {"choices": ValidationError(TOO_MANY_CHOICES, params={"limit": MAX_CHOICES})}
        )
    keys = {label: key for key, label in (old or [])}
    used = {int(key[1:]) for key in keys.values() if key[1:].isdigit()}
    next_key = max(used, default=0) + 1
    pairs = []
    for label in cleaned:
        if label not in keys:
            keys[label] = f"c{next_key}"
            next_key += 1
        pairs.append([keys[label], label])
    return pairs


def _decimal(value: str | Decimal | None, field: str) -> Decimal | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationError({field: ValidationError(NUMBER_BOUND_INVALID)}) from None
    if not number.is_finite() or abs(number) >= Decimal(10) ** 14:
        raise ValidationError({field: ValidationError(NUMBER_BOUND_INVALID)})
    return number


def _text_limit(value: int | None) -> int:
    if value in (None, ""):
        return TEXT_LIMIT_DEFAULT
    try:
        limit = int(value)
    except (TypeError, ValueError):
        limit = 0
    if not 1 <= limit <= TEXT_LIMIT_MAX:
        raise ValidationError(
            {"text_limit": ValidationError(TEXT_LIMIT_RANGE, params={"limit": TEXT_LIMIT_MAX})}
        )
    return limit


def _translations(language: str, question: FormQuestion, given: dict[str, dict] | None) -> dict:
    """The question's texts in other languages, each under its source field's
    rule (never required: blank removes it), the answers' labels matched to
    the answers by position and kept by their keys."""
    if given is None:
        return question.translations or {}
    kept = {c: t for c, t in (question.translations or {}).items() if c not in given}
    for code, texts in given.items():
        if code not in languages():
            raise ValidationError(common.LANGUAGE_UNKNOWN)
        if code == language:
            continue
        cleaned = common.translations_clean(language, {code: texts}, [PROMPT, HELP]).get(code, {})
        entry = {name: text for name, text in cleaned.items() if text}
        labels = _choice_labels(code, question.choices, texts.get("choices") or [])
        if labels:
            entry["choices"] = labels
        if entry:
            kept[code] = entry
    return kept


def _choice_labels(code: str, choices: list, labels: list[str]) -> dict[str, str]:
    if not choices:
        return {}  # not a question with answers to choose: as for its own labels
    key = common.translation_key("choices", code)
    own = dataclasses.replace(CHOICE, field=key)
    lines = [own.clean(label) for label in labels]
    while lines and not lines[-1]:
        lines.pop()
    if len(lines) > len(choices):
        raise ValidationError({key: ValidationError(TOO_MANY_CHOICE_TRANSLATIONS)})
    written = [label for label in lines if label]
    for label in written:
        if written.count(label) > 1:
            raise ValidationError({key: ValidationError(CHOICE_TWICE, params={"label": label})})
    return {str(k): label for (k, _old), label in zip(choices, lines, strict=False) if label}


def _condition(
    proposal: Proposal, data: QuestionInput, question: FormQuestion | None
) -> tuple[FormQuestion | None, list[str]]:
    if not data.shown_if_id:
        return None, []
    earlier = FormQuestion.objects.filter(proposal=proposal, pk=data.shown_if_id).first()
    if (
        earlier is None
        or earlier.kind not in CONDITION_KINDS
        or (question is not None and (earlier.pk == question.pk or earlier.order >= question.order))
    ):
        raise ValidationError({"shown_if": ValidationError(CONDITION_QUESTION)})
    keys = earlier.choice_keys()
    picked = [key for key in keys if key in set(data.shown_if_choices or [])]
    if not picked or len(picked) != len(set(data.shown_if_choices or [])):
        raise ValidationError({"shown_if_choices": ValidationError(CONDITION_CHOICES)})
    return earlier, picked


def _apply(proposal: Proposal, question: FormQuestion, data: QuestionInput) -> None:
    """Every field of `data`, checked, onto `question` (not saved)."""
    question.kind = _kind(data.kind)
    question.prompt = PROMPT.clean(data.prompt)
    question.help_text = HELP.clean(data.help_text)
    question.required = bool(data.required)
    question.choices = (
        _choices(data.choices, question.choices) if question.kind in CHOICE_KINDS else []
    )
    question.translations = _translations(proposal.language, question, data.translations)
    question.text_limit = (
        _text_limit(data.text_limit) if question.kind == QuestionKind.TEXT else None
    )
    if question.kind == QuestionKind.NUMBER:
        question.min_value = _decimal(data.min_value, "min_value")
        question.max_value = _decimal(data.max_value, "max_value")
        low, high = question.min_value, question.max_value
        if low is not None and high is not None and low > high:
            raise ValidationError({"max_value": ValidationError(NUMBER_BOUNDS_ORDER)})
    else:
        question.min_value = question.max_value = None
    section = None
    if data.section_id:
        section = Section.objects.filter(
            proposal=proposal, pk=data.section_id, is_removed=False
        ).first()
        if section is None:
            raise ValidationError({"section": ValidationError(SECTION_ELSEWHERE)})
    question.section = section
    question.shown_if, question.shown_if_choices = _condition(proposal, data, question)


def _locked(actor: User, proposal: Proposal) -> Proposal:
    proposal = common.access_proposal_for_edit(actor=actor, proposal_id=proposal.pk)
    common.require_state(proposal, *common.EDITABLE)
    return proposal


@transaction.atomic
def question_add(*, actor: User, proposal: Proposal, data: QuestionInput) -> FormQuestion:
    """A new question at the end of the form, shown from the next version."""
    proposal = _locked(actor, proposal)
    last = FormQuestion.objects.filter(proposal=proposal).aggregate(last=Max("order"))["last"]
    question = FormQuestion(proposal=proposal, order=(last or 0) + 1)
    _apply(proposal, question, data)
    question.save()
    common.audit(actor, "proposal.form_question_added", proposal, after=_record(question))
    return question


def _frozen_change(question: FormQuestion, data: QuestionInput) -> bool:
    """Would `data` change what respondents answered?"""
    before = (question.kind, question.prompt, [label for _k, label in question.choices])
    probe = FormQuestion(kind=data.kind, choices=[])
    after = (
        data.kind,
        PROMPT.clean(data.prompt),
        [CHOICE.clean(c) for c in data.choices if c.strip()],
    )
    if probe.kind not in CHOICE_KINDS:
        after = (after[0], after[1], [])
    return before != after


def _frozen_translation_change(question: FormQuestion, after: dict) -> str | None:
    """The language whose written wording `after` would change, if any.

    A frozen question's translations are frozen as its own wording is: people
    answered what they read, in their language, and their answers are counted
    together, so a prompt, help text or label already written in a language
    stays as it was answered. A translation not written yet may be added:
    nobody read the question in that language, and a form opened in one
    language can thus be opened to readers of another while it runs."""
    for code, texts in (question.translations or {}).items():
        new = after.get(code) or {}
        for name in ("prompt", "help_text"):
            if texts.get(name) and new.get(name) != texts[name]:
                return code
        labels = texts.get("choices") or {}
        if any((new.get("choices") or {}).get(k) != v for k, v in labels.items() if v):
            return code
    return None


def _keep_dependents(question: FormQuestion) -> None:
    """A question shown after answers to this one must still find them."""
    keys = set(question.choice_keys()) if question.kind in CONDITION_KINDS else set()
    for later in FormQuestion.objects.filter(shown_if=question):
        if not set(later.shown_if_choices) <= keys:
            raise ValidationError(DEPENDED_ON)


@transaction.atomic
def question_update(*, actor: User, question: FormQuestion, data: QuestionInput) -> FormQuestion:
    proposal = _locked(actor, question.proposal)
    question = FormQuestion.objects.select_for_update().get(pk=question.pk, proposal=proposal)
    if question.frozen_at is not None and _frozen_change(question, data):
        raise ValidationError(FROZEN)
    before = _record(question)
    answered = FormQuestion(translations=question.translations)
    _apply(proposal, question, data)
    if question.frozen_at is not None:
        changed = _frozen_translation_change(answered, question.translations)
        if changed is not None:
            name = dict(settings.LANGUAGES).get(changed, changed)
            raise ValidationError(FROZEN_TRANSLATION, params={"language": name})
    _keep_dependents(question)
    question.save()
    common.audit(
        actor, "proposal.form_question_changed", proposal, before=before, after=_record(question)
    )
    return question


def _record(question: FormQuestion) -> dict:
    return {
        "question": question.prompt,
        "choices": question.choices,
        "translations": question.translations,
    }


@transaction.atomic
def question_move(*, actor: User, question: FormQuestion, direction: str) -> None:
    """One place up or down; a question never moves above one it depends on."""
    proposal = _locked(actor, question.proposal)
    ordered = list(FormQuestion.objects.filter(proposal=proposal).order_by("order", "pk"))
    at = next(i for i, q in enumerate(ordered) if q.pk == question.pk)
    other = at - 1 if direction == "up" else at + 1
    if not 0 <= other < len(ordered):
        return
    first, second = sorted((ordered[at], ordered[other]), key=lambda q: q.order)
    if second.shown_if_id == first.pk:
        raise ValidationError(DEPENDED_ON)
    ordered[at], ordered[other] = ordered[other], ordered[at]
    for order, item in enumerate(ordered, start=1):
        if item.order != order:
            FormQuestion.objects.filter(pk=item.pk).update(order=order)


@transaction.atomic
def question_remove(*, actor: User, question: FormQuestion) -> None:
    proposal = _locked(actor, question.proposal)
    question = FormQuestion.objects.select_for_update().get(pk=question.pk, proposal=proposal)
    if question.frozen_at is not None:
        raise ValidationError(FROZEN_REMOVE)
    if FormQuestion.objects.filter(shown_if=question).exists():
        raise ValidationError(DEPENDED_ON)
    prompt = question.prompt
    question.delete()
    common.audit(actor, "proposal.form_question_removed", proposal, before={"question": prompt})


def questions_publish(version: ProposalVersion) -> int:
    """Questions added since the last version become part of `version`.
    Called inside version_publish's transaction; returns how many."""
    return FormQuestion.objects.filter(
        proposal_id=version.proposal_id, published_in__isnull=True
    ).update(published_in=version)


def unpublished_questions(proposal: Proposal) -> int:
    return FormQuestion.objects.filter(proposal=proposal, published_in__isnull=True).count()


def questions_freeze(proposal_id: int) -> int:
    """The published questions are answered: freeze them (idempotent)."""
    return FormQuestion.objects.filter(
        proposal_id=proposal_id, published_in__isnull=False, frozen_at__isnull=True
    ).update(frozen_at=timezone.now())
