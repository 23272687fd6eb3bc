"""The form builder's form: it parses what the official typed into a
QuestionInput; the questionnaire's services check the rules and write."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from proposals.forms import TranslatedFields, language_name
from proposals.models import Section
from proposals.questionnaire.models import (
    HELP_MAX_LENGTH,
    PROMPT_MAX_LENGTH,
    TEXT_LIMIT_DEFAULT,
    TEXT_LIMIT_MAX,
    FormQuestion,
    QuestionKind,
)
from proposals.questionnaire.services import QuestionInput
from proposals.services.common import other_languages, translation_key

CONDITION_OTHER_QUESTION = _(
    "Tick only answers of the question chosen under “Show this question only when”."
)
CONDITION_TWO_QUESTIONS = _(
    "A question can depend on one earlier question only: tick answers of one question."
)
CONDITION_NO_ANSWERS = _("Tick the answers to the earlier question that show this one.")
# Far above any real list of answers (20 of at most 200 characters), far
# below what would cost anything to split into lines.
CHOICES_TYPED_MAX = 20_000


def condition_sources(
    questions: Iterable[FormQuestion], editing: FormQuestion | None = None
) -> list[FormQuestion]:
    """The questions another may depend on: earlier ones whose answers are
    picked from a list (not ranked)."""
    return [
        q
        for q in questions
        if q.has_choices
        and q.kind != QuestionKind.RANKING
        and (editing is None or (q.pk != editing.pk and q.order < editing.order))
    ]


def plain_number(value: Decimal | None) -> str | None:
    """12.5000 as "12.5", 10.0000 as "10" (never "1E+1")."""
    return None if value is None else f"{value.normalize():f}"


def condition_value(question_id: int, key: str) -> str:
    return f"{question_id}:{key}"


class QuestionForm(TranslatedFields, forms.Form):
    TRANSLATED = ("prompt", "help_text", "choices")

    kind = forms.ChoiceField(label=_("Kind of question"), choices=QuestionKind.choices)
    prompt = forms.CharField(
        label=_("Question"),
        max_length=PROMPT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    help_text = forms.CharField(
        label=_("Help text"),
        required=False,
        max_length=HELP_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown under the question, to explain what is asked. Optional."),
    )
    required = forms.BooleanField(label=_("An answer is required"), required=False)
    choices = forms.CharField(
        label=_("Answers to choose from"),
        required=False,
        max_length=CHOICES_TYPED_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "For single choice, multiple choice and ranking: one answer per line. "
            "The agreement scale has its own fixed answers."
        ),
    )
    text_limit = forms.IntegerField(
        label=_("Longest answer, in characters"),
        required=False,
        min_value=1,
        max_value=TEXT_LIMIT_MAX,
    )
    min_value = forms.DecimalField(
        label=_("Smallest number allowed"),
        required=False,
        max_digits=18,
        decimal_places=4,
        help_text=_("For a number. Optional."),
    )
    max_value = forms.DecimalField(
        label=_("Largest number allowed"),
        required=False,
        max_digits=18,
        decimal_places=4,
        help_text=_("For a number. Optional."),
    )
    section = forms.TypedChoiceField(
        label=_("Where it appears"), required=False, coerce=int, empty_value=None
    )
    shown_if = forms.TypedChoiceField(
        label=_("Show this question only when"), required=False, coerce=int, empty_value=None
    )
    shown_if_choices = forms.MultipleChoiceField(
        label=_("… the answer to that question is one of"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    # Fieldsets of the builder's page: (legend, field names).
    FIELDSETS = (
        (_("The question"), ("kind", "prompt", "help_text", "required")),
        (_("Answers"), ("choices", "text_limit", "min_value", "max_value")),
        (_("Where and when it is shown"), ("section", "shown_if", "shown_if_choices")),
    )

    def __init__(
        self,
        *args,
        sections: Iterable[Section] = (),
        earlier: Iterable[FormQuestion] = (),
        language: str | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.add_translations(language)
        for code in self.translation_languages:
            self.fields[translation_key("choices", code)].help_text = _(
                "One per line, in the same order as the answers above. Empty: not yet translated."
            )
        self.earlier = list(earlier)
        self.fields["text_limit"].help_text = _(
            "For free text. Left empty: %(limit)d characters."
        ) % {"limit": TEXT_LIMIT_DEFAULT}
        self.fields["section"].choices = [("", _("The whole draft"))] + [
            (s.pk, s.heading) for s in sections
        ]
        self.fields["shown_if"].choices = [("", _("Always shown"))] + [
            (q.pk, q.prompt) for q in self.earlier
        ]
        # Grouped by question, so that without JavaScript every earlier
        # question's answers are there to tick.
        self.fields["shown_if_choices"].choices = [
            (q.prompt, [(condition_value(q.pk, key), label) for key, label in q.choice_pairs()])
            for q in self.earlier
        ]

    def clean(self):
        data = super().clean()
        picked = [value.split(":", 1) for value in data.get("shown_if_choices") or []]
        source = data.get("shown_if")
        asked = {int(qid) for qid, _key in picked}
        if source is None and len(asked) == 1:
            # The answers ticked name their question: no need to pick it twice.
            source = data["shown_if"] = next(iter(asked))
        if source is None and len(asked) > 1:
            self.add_error("shown_if_choices", CONDITION_TWO_QUESTIONS)
        elif source is not None and asked - {source}:
            self.add_error("shown_if_choices", CONDITION_OTHER_QUESTION)
        elif source is not None and not picked:
            self.add_error("shown_if_choices", CONDITION_NO_ANSWERS)
        data["condition_keys"] = [key for qid, key in picked if int(qid) == source]
        return data

    def fieldsets(self):
        """(legend, bound fields) in the order the page shows them: the
        question's texts in another language in a fieldset of their own."""
        sets = [(legend, [self[name] for name in names]) for legend, names in self.FIELDSETS]
        for code in self.translation_languages:
            legend = _("The question in %(language)s") % {"language": language_name(code)}
            sets.append((legend, [self[translation_key(n, code)] for n in self.TRANSLATED]))
        return sets

    def condition_groups(self) -> list[dict]:
        """The answers to tick, by the earlier question they belong to."""
        options = {option.data["value"]: option for option in self["shown_if_choices"]}
        return [
            {
                "question": q,
                "options": [options[condition_value(q.pk, key)] for key in q.choice_keys()],
            }
            for q in self.earlier
        ]

    def to_input(self) -> QuestionInput:
        data = self.cleaned_data
        return QuestionInput(
            kind=data["kind"],
            prompt=data["prompt"],
            help_text=data.get("help_text") or "",
            required=bool(data.get("required")),
            choices=(data.get("choices") or "").splitlines(),
            text_limit=data.get("text_limit"),
            min_value=data.get("min_value"),
            max_value=data.get("max_value"),
            section_id=data.get("section"),
            shown_if_id=data.get("shown_if"),
            shown_if_choices=data.get("condition_keys") or [],
            translations={
                code: {
                    "prompt": data.get(translation_key("prompt", code)) or "",
                    "help_text": data.get(translation_key("help_text", code)) or "",
                    "choices": (data.get(translation_key("choices", code)) or "").splitlines(),
                }
                for code in self.translation_languages
            },
        )


def question_initial(question: FormQuestion, *, language: str) -> dict:
    """The edit form filled in with the question as it is, in every language
    (`language`: the consultation's own, which the question is written in)."""
    initial = _source_initial(question)
    for code in other_languages(language):
        texts = (question.translations or {}).get(code) or {}
        labels = texts.get("choices") if isinstance(texts.get("choices"), dict) else {}
        initial[translation_key("prompt", code)] = texts.get("prompt") or ""
        initial[translation_key("help_text", code)] = texts.get("help_text") or ""
        initial[translation_key("choices", code)] = "\n".join(
            labels.get(str(key), "") for key, _label in question.choices
        ).rstrip("\n")
    return initial


def _source_initial(question: FormQuestion) -> dict:
    return {
        "kind": question.kind,
        "prompt": question.prompt,
        "help_text": question.help_text,
        "required": question.required,
        "choices": "\n".join(label for _key, label in question.choices),
        "text_limit": question.text_limit,
        "min_value": plain_number(question.min_value),
        "max_value": plain_number(question.max_value),
        "section": question.section_id,
        "shown_if": question.shown_if_id,
        "shown_if_choices": [
            condition_value(question.shown_if_id, key) for key in question.shown_if_choices
        ],
    }
