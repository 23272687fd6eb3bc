"""The demo's texts in its other language: names of places, departments and
topics in Chinese, some consultations written again in Chinese (and a
Chinese one in English), and the Chinese of the published report.

"Rental deposit reform", "Empty homes levy" and "Street trees plan" stay in
English only, and "老旧小区加装电梯补贴办法" in Chinese only, so that the
marked fallback ("not yet translated") shows in both languages.
"""

from __future__ import annotations

from taggit.models import Tag

from consult.accounts.models import Department, Jurisdiction
from consult.infra.translations import set_translation
from proposals.models import (
    Attachment,
    ConsultationQuestion,
    FormQuestion,
    Proposal,
    Section,
    Topic,
)

ZH = "zh-hans"

PLACE_NAMES = {"national": "全国", "northshire": "北郡省", "riverton": "河滨市"}
DEPARTMENT_NAMES = {
    "ministry-housing": "住房和交通部",
    "riverton-housing": "河滨市住房和交通办公室",
}
TOPIC_NAMES = {
    "transport": "交通",
    "public transport": "公共交通",
    "road safety": "道路安全",
    "children": "儿童",
    "housing": "住房",
    "renting": "租房",
    "tax": "税收",
    "planning": "规划",
    "environment": "环境",
    "accessibility": "无障碍",
}

# The language each consultation is written in, when not the site's.
WRITTEN_IN = {"riverton-bus-network-2027": ZH, "elevator-retrofit-subsidy": ZH}

# A consultation's texts in another language: title, summary, each section's
# (heading, body) in order, its questions in order.
TEXTS = {
    "safer-streets-near-schools": (
        ZH,
        {
            "title": "学校周边更安全的街道",
            "summary": (
                "在每所学校周边实行每小时20公里限速，并在上下学时段设立禁止机动车通行的学校街道。"
            ),
            "sections": (
                (
                    "目的",
                    "与上一代人相比，步行或骑车上学的孩子越来越少，家长最常提到的原因是**交通危险**。"
                    "本方案让学校周边的街道在孩子们使用的时段更加安静。",
                ),
                (
                    "学校周边每小时20公里限速",
                    "1. 学校入口300米范围内的所有街道全天限速每小时20公里。\n"
                    "2. 在区域的每个入口设置标志和路面标线。\n3. 公交线路保持现有时刻表。",
                ),
                (
                    "学校街道",
                    "上学日，小学入口外的街道在上下学时段禁止机动车通行**45分钟**。\n\n"
                    "- 居民、护理人员、蓝色残疾停车证持有人和学校员工可申请豁免。\n"
                    "- 紧急车辆和垃圾收集车辆始终可以通行。",
                ),
                (
                    "执法",
                    "市政府将使用摄像头对学校街道执法。前两个月内的首次违规只收到警告信，不罚款。",
                ),
                (
                    "评估",
                    "方案实施一年后，市政府将公布交通流量、事故数据和空气质量测量结果，"
                    "并据此决定每条学校街道是保留、调整还是取消。",
                ),
            ),
            "questions": (
                "在您最近的学校外设立学校街道，会改变您家庭的出行方式吗？",
                "学校街道的居民应当享有哪些豁免（如有）？",
            ),
        },
    ),
    "cycle-parking-standards": (
        ZH,
        {
            "title": "新建建筑自行车停车标准",
            "summary": "新建住宅和工作场所须提供最低数量的安全自行车停车位。",
            "sections": (
                ("住宅", "新建住宅每间卧室提供一个安全、有遮盖的自行车停车位。"),
                ("工作场所", "新建工作场所每五名员工提供一个停车位，并配备淋浴和储物柜。"),
            ),
        },
    ),
    "riverton-bus-network-2027": (
        "en",
        {
            "title": "Riverton bus network 2027",
            "summary": (
                "Twelve bus routes redrawn, new night routes, and bus lanes on the main roads."
            ),
            "sections": (
                (
                    "General provisions",
                    "To make buses faster and easier to use, this plan follows the city's "
                    "transport strategy.",
                ),
                (
                    "Route changes",
                    "Twelve routes that overlap are redrawn, **cutting the average wait** "
                    "to under eight minutes.",
                ),
                (
                    "Night buses",
                    "Four new night routes run from 11pm to 5am, serving the main hospitals "
                    "and interchanges.",
                ),
                (
                    "Bus lanes",
                    "All-day bus lanes on Riverside Avenue and People's Road; other vehicles "
                    "may not use them.",
                ),
            ),
            "questions": (
                "Which bus route do you use most, and how would the changes affect you?",
            ),
        },
    ),
}

# The published report of "cycle-parking-standards" in Chinese: its
# introduction, and each theme's title and "we did".
REPORT_INTRO = "感谢所有参与的人。本报告说明了您告诉我们的内容，以及我们在最终标准中做出的修改。"
REPORT_THEMES = {
    "Cost": ("费用", "小户型住宅只需在两间卧室以内每间卧室提供一个车位；费用估算与标准一同公布。"),
    "Security": ("安全", "停车位必须有遮盖、可上锁，并设在地面层或通过平缓坡道到达。"),
    "Cargo bikes": ("货运自行车", "每十个停车位中须有一个能停放货运自行车或拖车。"),
    "Showers": ("淋浴", "员工超过20人的工作场所须配备淋浴。"),
}
# The Form question that is written in Chinese too: prompt and choices.
FORM_QUESTION = ("您是否同意在每所学校周边街道实行每小时20公里限速？", ("同意", "不同意", "不知道"))


def name_places() -> None:
    """Chinese names for the demo's places and departments."""
    for model, names in ((Jurisdiction, PLACE_NAMES), (Department, DEPARTMENT_NAMES)):
        for row in model.objects.filter(slug__in=names):
            set_translation(row, ZH, name=names[row.slug])
            row.save(update_fields=["translations"])


def name_topics() -> None:
    """Chinese names for the demo's topics (once the consultations tagged them)."""
    for tag in Tag.objects.filter(name__in=TOPIC_NAMES):
        Topic.objects.update_or_create(
            tag=tag, defaults={"translations": {ZH: {"name": TOPIC_NAMES[tag.name]}}}
        )


def write_again(proposal: Proposal, sections: list) -> None:
    """The consultation's language, and its texts in the other one where the
    demo has them (before its first version, as an official would)."""
    language = WRITTEN_IN.get(proposal.slug)
    if language:
        proposal.language = language
        proposal.save(update_fields=["language"])
        # Its parts are written in it too (as drafts.proposal_update would say).
        for model in (Section, ConsultationQuestion, Attachment, FormQuestion):
            model.objects.filter(proposal=proposal).update(language=language)
        for section in sections:
            section.language = language
    if proposal.slug not in TEXTS:
        return
    code, texts = TEXTS[proposal.slug]
    set_translation(proposal, code, title=texts["title"], summary=texts["summary"])
    proposal.save(update_fields=["translations"])
    for section, (heading, body) in zip(sections, texts["sections"], strict=False):
        section.proposal = proposal
        set_translation(section, code, heading=heading, body=body)
        section.save(update_fields=["translations"])
    asked = ConsultationQuestion.objects.filter(proposal=proposal).order_by("order", "pk")
    for question, prompt in zip(asked, texts.get("questions", ()), strict=False):
        question.proposal = proposal
        set_translation(question, code, prompt=prompt)
        question.save(update_fields=["translations"])


def form_question_in_chinese(question) -> None:
    prompt, labels = FORM_QUESTION
    choices = {
        str(key): label for (key, _label), label in zip(question.choices, labels, strict=True)
    }
    question.translations = {ZH: {"prompt": prompt, "choices": choices}}
    question.save(update_fields=["translations"])


def report_texts(report) -> dict:
    """The report's Chinese words, as `report_save` takes them."""
    entries = {
        entry.pk: {"title": REPORT_THEMES[entry.title][0], "we_did": REPORT_THEMES[entry.title][1]}
        for entry in report.entries.filter(kind="theme")
        if entry.title in REPORT_THEMES
    }
    return {ZH: {"intro": REPORT_INTRO, "entries": entries}}
