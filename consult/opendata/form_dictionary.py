"""The data dictionary of the response form's tables: its questions, the
counts of every submitted response's answers, and the responses (with their
answers) that their respondents allowed to be published.

What is published follows consult.opendata.form, whose docstring gives the
rule; the privacy rules below say the same to the reader of the files.
"""

from __future__ import annotations

from consult.opendata.columns import CONSULTATION, Column, Table

RESPONSE = Column(
    "response",
    "string",
    "The response's pseudonym: the same in form_responses and form_answers, unrelated to "
    "any account, and different from the pseudonyms of comments and votes.",
)
QUESTION = Column("question_id", "integer", "The question (form_questions.question_id).")

FORM_TABLES: tuple[Table, ...] = (
    Table(
        "form_questions",
        "Response form questions",
        "The questions of each consultation's response form, as published with a version "
        "of its text. Questions not yet published are left out.",
        (
            CONSULTATION,
            Column("question_id", "integer", "The question's number."),
            Column("order", "integer", "Its place in the form, from 0."),
            Column(
                "kind",
                "string",
                "single (one choice), multiple (any number of choices), scale (the agreement "
                "scale), ranking (choices put in order), number or text.",
            ),
            Column("prompt", "string", "The question."),
            Column("help_text", "string", "The explanation shown under the question."),
            Column(
                "section_id",
                "integer",
                "The section the question is about (sections.section_id); empty for the "
                "consultation as a whole.",
            ),
            Column("required", "boolean", "true if a response must answer it (when it is shown)."),
            Column(
                "choice_keys",
                "list",
                "The keys of the answers a respondent may pick, in the form's order (c1, c2, "
                "...; for the agreement scale strongly_agree, agree, neither, disagree, "
                "strongly_disagree, dont_know). Keys never change; empty for number and text.",
            ),
            Column(
                "choice_labels",
                "list",
                "The same answers in words, in the same order as choice_keys.",
            ),
            Column(
                "shown_if",
                "integer",
                "The earlier question this one depends on (form_questions.question_id): it is "
                "shown only to respondents whose answer to that question is one of "
                "shown_if_choices. Empty for a question shown to everyone.",
            ),
            Column("shown_if_choices", "list", "The keys of those answers."),
            Column("text_limit", "integer", "For text: the longest answer, in characters."),
            Column(
                "min_value",
                "string",
                "For number: the smallest number accepted, as a decimal; empty if none.",
            ),
            Column(
                "max_value",
                "string",
                "For number: the largest number accepted, as a decimal; empty if none.",
            ),
            Column(
                "version",
                "integer",
                "The version of the text with which the question was published (versions.version).",
            ),
        ),
        ("question_id",),
    ),
    Table(
        "form_counts",
        "Response form counts",
        "How every submitted response answered each question, counted overall, by kind of "
        "respondent and by the way the response arrived. Every submitted response counts, "
        "including those whose respondents asked that they not be published and those whose "
        "words were hidden or are held for review: counts say nothing about anyone. Drafts "
        "never count. Every group is listed, with zeros.",
        (
            CONSULTATION,
            QUESTION,
            Column(
                "breakdown",
                "string",
                "all (every submitted response), respondent_kind or channel.",
            ),
            Column(
                "group",
                "string",
                "For respondent_kind: individual or organisation. For channel: web, post, "
                "email, phone or meeting (the last four were entered by staff). Empty for all.",
            ),
            Column(
                "responses",
                "integer",
                "How many submitted responses are in the group, whether or not they answered "
                "this question.",
            ),
            Column(
                "answered",
                "integer",
                "How many of them answered this question (a question shown only after some "
                "answers, or not required, is not answered by all).",
            ),
            Column(
                "choice",
                "string",
                "The answer counted (form_questions.choice_keys); empty for number and text "
                "questions, whose row counts the answers given.",
            ),
            Column("label", "string", "The same answer in words."),
            Column(
                "count",
                "integer",
                "How many responses in the group picked it (for a ranking: ranked it at all); "
                "for number and text questions, how many answered. Share = count / answered.",
            ),
            Column(
                "first_place",
                "integer",
                "For a ranking: how many responses in the group put it first; empty otherwise.",
            ),
        ),
        ("question_id", "breakdown", "group", "choice"),
    ),
    Table(
        "form_responses",
        "Published form responses",
        "The submitted responses whose respondents allowed them to be published: with a name "
        "(named) or without one (anonymous). A response whose respondent asked that it not "
        "be published is never here, though it counts in form_counts. Sorted by pseudonym, "
        "not by when they arrived.",
        (
            CONSULTATION,
            RESPONSE,
            Column(
                "publication",
                "string",
                "named (published with the respondent's name) or anonymous (published "
                "without any name).",
            ),
            Column(
                "name",
                "string",
                "For named responses: the organisation's name for a response on behalf of an "
                "organisation, otherwise the name the person gave. Empty for anonymous ones.",
            ),
            Column("respondent_kind", "string", "individual or organisation."),
            Column(
                "organisation_type",
                "string",
                "For organisations: business, charity, community, public_body, academic, "
                "representative or other. Empty for individuals.",
            ),
            Column(
                "official_view",
                "boolean",
                "For organisations: true if the response is the organisation's official view. "
                "Empty for individuals.",
            ),
            Column(
                "channel",
                "string",
                "How it arrived: web (on this site), or post, email, phone or meeting "
                "(entered by staff).",
            ),
            Column(
                "submitted_on",
                "date",
                "The day (UTC) it was first submitted or entered: never the time.",
            ),
            Column(
                "received_on",
                "date",
                "For a response entered by staff: the day it was received. Empty for web.",
            ),
            Column(
                "version",
                "integer",
                "The version of the text it answered (versions.version).",
            ),
        ),
        ("response",),
    ),
    Table(
        "form_answers",
        "Answers of published form responses",
        "Each published response's answers (form_responses), one row per question answered. "
        "The words of a text answer that a moderator hid, or that are held for review, are "
        "left out; text_withheld says why.",
        (
            CONSULTATION,
            RESPONSE,
            QUESTION,
            Column(
                "choices",
                "list",
                "The keys picked (form_questions.choice_keys); for a ranking, in the "
                "respondent's order, first place first.",
            ),
            Column("number", "string", "For number questions: the number, as a decimal."),
            Column("text", "string", "For text questions: the answer, in Markdown."),
            Column(
                "text_withheld",
                "string",
                "Why the text is empty though the question was answered: hidden (a moderator "
                "removed the words) or held (they wait for a moderator's review). Empty when "
                "nothing is withheld.",
            ),
        ),
        ("response", "question_id"),
    ),
)

FORM_PRIVACY_RULES = (
    "Form responses are published only as their respondents chose: with their name, or "
    "anonymously (no person's or organisation's name, though the kind of respondent and of "
    "organisation show). A response its respondent asked not to publish is never "
    "included, nor are its answers; it still counts in form_counts. Drafts are never "
    "included or counted.",
    "Form responses carry a pseudonym of their own, the day they were submitted (never the "
    "time) and are sorted by pseudonym. The words of a text answer hidden by a moderator or "
    "held for review are left out; the answer still counts.",
)
