"""Questions of a consultation's response form.

A question belongs to the whole draft or to one section. It is part of the
next version published after it was added (``published_in``) and shown to
respondents from then on. Once a submitted response answers the form, the
published questions are frozen: their kind, wording and choices stay as
they were answered; a later version may add questions.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from consult.infra.translations import reader_language
from proposals.languages import WrittenInProposalLanguage

PROMPT_MAX_LENGTH = 500
HELP_MAX_LENGTH = 1000
CHOICE_MAX_LENGTH = 200
MAX_CHOICES = 20
TEXT_LIMIT_DEFAULT = 2000
TEXT_LIMIT_MAX = 20_000


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    SCALE = "scale", _("Agreement scale")
    RANKING = "ranking", _("Ranking")
    NUMBER = "number", _("Number")
    TEXT = "text", _("Free text")


CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.RANKING)
# The agreement scale is the same for every question, in the site's languages.
SCALE_CHOICES = (
    ("strongly_agree", _("Strongly agree")),
    ("agree", _("Agree")),
    ("neither", _("Neither agree nor disagree")),
    ("disagree", _("Disagree")),
    ("strongly_disagree", _("Strongly disagree")),
    ("dont_know", _("Don't know")),
)


class FormQuestion(WrittenInProposalLanguage):
    proposal = models.ForeignKey(
        "proposals.Proposal", on_delete=models.CASCADE, related_name="form_questions"
    )
    section = models.ForeignKey(
        "proposals.Section",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="form_questions",
        verbose_name=_("section"),
    )
    order = models.PositiveIntegerField(default=0)
    kind = models.CharField(_("kind of question"), max_length=10, choices=QuestionKind.choices)
    prompt = models.CharField(_("question"), max_length=PROMPT_MAX_LENGTH)
    help_text = models.TextField(_("help text"), max_length=HELP_MAX_LENGTH, blank=True)
    required = models.BooleanField(_("an answer is required"), default=False)
    # [[key, label], ...] for single, multiple and ranking; keys never change.
    choices = models.JSONField(default=list, blank=True)
    # The prompt, help text and choices' labels in the consultation's other
    # languages: {"zh-hans": {"prompt": …, "help_text": …, "choices": {key: label}}}.
    translations = models.JSONField(default=dict, blank=True)
    text_limit = models.PositiveIntegerField(_("longest answer, in characters"), null=True)
    min_value = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    max_value = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    # Shown only when the answer to `shown_if` is one of `shown_if_choices`.
    shown_if = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="conditional"
    )
    shown_if_choices = models.JSONField(default=list, blank=True)
    published_in = models.ForeignKey(
        "proposals.ProposalVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="form_questions",
    )
    # Set when the first submitted response answers the form: from then on
    # the question's kind, wording and choices stay as they were answered.
    frozen_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("form question")
        verbose_name_plural = _("form questions")
        ordering = ["order", "pk"]
        indexes = [models.Index(fields=["proposal", "order"])]

    def __str__(self) -> str:
        return self.prompt

    def choice_labels_in(self, language: str) -> dict[str, str]:
        """The choices' labels written in `language`, by key ({} if none)."""
        if language == self.language:
            return {str(key): str(label) for key, label in self.choices}
        texts = (self.translations or {}).get(language)
        labels = texts.get("choices") if isinstance(texts, dict) else None
        return (
            {str(k): v for k, v in labels.items() if isinstance(v, str) and v}
            if isinstance(labels, dict)
            else {}
        )

    def choice_pairs(self) -> list[tuple[str, str]]:
        """(key, label) of every answer a person may pick, in order; each label
        in the reader's language where it is written."""
        if self.kind == QuestionKind.SCALE:
            return [(key, str(label)) for key, label in SCALE_CHOICES]
        labels = {}
        if self.translations:
            labels = self.choice_labels_in(reader_language())
        return [(str(key), labels.get(str(key)) or str(label)) for key, label in self.choices]

    def choice_keys(self) -> list[str]:
        return [key for key, _label in self.choice_pairs()]

    def label_of(self, key: str) -> str:
        return dict(self.choice_pairs()).get(key, key)

    @property
    def has_choices(self) -> bool:
        return self.kind in (*CHOICE_KINDS, QuestionKind.SCALE)
