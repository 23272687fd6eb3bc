"""The demo consultations: realistic drafts in English and Simplified Chinese."""

from dataclasses import dataclass, field

from consult.demo.crowd import Crowd


@dataclass(frozen=True)
class DemoProposal:
    slug: str
    title: str
    summary: str
    department: str
    state: str  # draft, scheduled, open, closing, closed, report_published
    tags: tuple[str, ...]
    sections: tuple[tuple[str, str], ...]
    office: str = ""
    questions: tuple[str, ...] = ()
    # (change note, {section index: new body}) applied after version 1.
    revision: tuple[str, dict] | None = None
    extra: dict = field(default_factory=dict)
    # (section index or None, citizen index, text, ((citizen index, reply), ...))
    comments: tuple = ()
    # The consultation's pre-moderation rules, and comments they then hold:
    # (section index or None, citizen index, text).
    policy: dict | None = None
    held: tuple = ()
    # (comment index, (citizen indexes), report reason): reports below the
    # threshold, so the moderators' queue has something in it.
    reports: tuple = ()
    # For a finished consultation: residents who took part while it was open.
    crowd: Crowd | None = None
    # For one whose report is published: (section index, we did) per section.
    report: tuple = ()
    # (theme, status, we did) for the report's theme entries.
    report_themes: tuple = ()
    # Stances only from verified residents of its place.
    residents_only: bool = False
    # A response form (consult/demo/forms.py), answered online and by post.
    form: bool = False


DEMO_PROPOSALS = [
    DemoProposal(
        slug="safer-streets-near-schools",
        title="Safer streets near schools",
        summary="A 20 km/h limit around every school and car-free school streets at drop-off and pick-up times.",
        department="riverton-housing",
        state="open",
        form=True,
        tags=("transport", "road safety", "children"),
        office="Riverton Street Safety Team",
        questions=(
            "Would a school street outside your nearest school change how your family travels?",
            "Which exemptions, if any, should residents of a school street have?",
        ),
        sections=(
            (
                "Purpose",
                "Fewer children walk or cycle to school than a generation ago, and the most common reason parents give is **traffic danger**. This plan makes the streets around schools calmer at the times children use them.",
            ),
            (
                "A 20 km/h limit around schools",
                "1. Every street within 300 metres of a school entrance gets a 20 km/h limit at all times.\n2. Limits are shown with signs and road markings at every entry to the zone.\n3. Bus routes keep their current timetables.",
            ),
            (
                "School streets",
                "On school days, streets directly outside primary school entrances close to motor traffic for **45 minutes** at drop-off and pick-up.\n\n- Residents, carers and blue badge holders may apply for an exemption.\n- Emergency vehicles always have access.",
            ),
            (
                "Enforcement",
                "The city will enforce school streets with cameras. First offences within the first three months receive a warning letter, not a fine.",
            ),
            (
                "Review",
                "The city will publish traffic counts, collision figures and air quality measurements one year after the scheme starts, and decide then whether to keep, change or end each school street.",
            ),
        ),
        comments=(
            (
                2,
                0,
                "Our street would become the school street. Will deliveries to the corner shop still be allowed before 9am?",
                (
                    (
                        2,
                        "Good question: the plan only mentions residents and carers. Businesses need an answer too.",
                    ),
                ),
            ),
            (
                1,
                2,
                "20 km/h at all times seems too strict at night, when there are no children around.",
                ((1, "I disagree: evenings are when most collisions near our school happen."),),
            ),
            (None, 1, "Please publish the collision figures for each school before deciding.", ()),
        ),
        policy={"max_links": 0, "blocked_terms": {"en": ["cheap permits"]}},
        held=(
            (3, 2, "Cheap permits and camera-free routes: see www.example.com/deals for details."),
        ),
        reports=((1, (0, 1), "off_topic"),),
        revision=(
            "Clarified the exemptions after feedback from carers and shortened the first-offence period.",
            {
                2: "On school days, streets directly outside primary school entrances close to motor traffic for **45 minutes** at drop-off and pick-up.\n\n- Residents, carers, blue badge holders and school staff may apply for an exemption.\n- Emergency vehicles and refuse collection always have access.",
                3: "The city will enforce school streets with cameras. First offences within the first two months receive a warning letter, not a fine.",
            },
        ),
    ),
    DemoProposal(
        slug="rental-deposit-reform",
        title="Rental deposit reform",
        summary="Cap rental deposits at one month's rent and hold every deposit in a public protection scheme.",
        department="ministry-housing",
        state="closing",
        tags=("housing", "renting"),
        office="Private Rented Sector Policy Unit",
        sections=(
            (
                "Cap on deposits",
                "A landlord may not ask for a deposit of more than **one month's rent**, whatever the length of the tenancy.",
            ),
            (
                "Public deposit scheme",
                "Every deposit is paid into the national deposit scheme within 14 days. The scheme pays interest to the tenant at the Bank rate.",
            ),
            (
                "Disputes",
                "Either party can ask the scheme to decide a dispute about deductions. Decisions are made within 28 days and are free of charge.",
            ),
            (
                "Commencement",
                "The cap applies to tenancies that begin six months after the law is passed. Existing deposits move into the scheme within a year.",
            ),
        ),
    ),
    DemoProposal(
        slug="riverton-bus-network-2027",
        title="河滨市2027年公交线网优化方案",
        summary="调整十二条公交线路，新增夜间线路，并在主干道设置公交专用道。",
        department="riverton-housing",
        state="scheduled",
        tags=("public transport", "transport"),
        office="河滨市交通运输局",
        questions=("您最常乘坐哪条公交线路？调整后对您有何影响？",),
        sections=(
            ("总则", "为提高公交出行效率，方便市民出行，根据本市综合交通规划，制定本方案。"),
            ("线路调整", "优化调整十二条重复率较高的线路，**缩短平均候车时间**至八分钟以内。"),
            (
                "夜间公交",
                "新增四条夜间线路，运营时间为晚上十一点至次日凌晨五点，覆盖主要医院和交通枢纽。",
            ),
            ("公交专用道", "在滨江大道、人民路等主干道设置全天公交专用道，社会车辆不得占用。"),
        ),
    ),
    DemoProposal(
        slug="elevator-retrofit-subsidy",
        title="老旧小区加装电梯补贴办法（征求意见稿）",
        summary="对二〇〇〇年以前建成的多层住宅加装电梯给予财政补贴，并简化审批流程。",
        department="ministry-housing",
        state="open",
        residents_only=True,
        tags=("housing", "accessibility"),
        office="住房和城乡建设司",
        comments=(
            (
                1,
                1,
                "补贴比例可以再提高一些，低层住户也应当分摊费用。",
                ((0, "I agree, and the approval time should be shorter."),),
            ),
            (2, 2, "三分之二业主同意的门槛对老旧小区来说太高了。", ()),
        ),
        sections=(
            (
                "适用范围",
                "本办法适用于二〇〇〇年十二月三十一日以前建成、四层及以上、未设电梯的住宅楼。",
            ),
            ("补贴标准", "每部电梯补贴建设费用的百分之四十，最高不超过二十万元。"),
            (
                "申请程序",
                "由业主委员会或三分之二以上业主共同申请，相关部门应在三十个工作日内完成审批。",
            ),
        ),
    ),
    DemoProposal(
        slug="empty-homes-levy",
        title="Empty homes levy",
        summary="A yearly levy on homes left empty for more than twelve months, with the money spent on affordable housing.",
        department="ministry-housing",
        state="closed",
        tags=("housing", "tax"),
        crowd=Crowd(
            comments=(
                (
                    0,
                    "for",
                    "Fairness",
                    "Empty homes while families wait years for housing is wrong. A levy is overdue.",
                ),
                (
                    0,
                    "against",
                    "Fairness",
                    "1% of the value every year is far too high for an ordinary family.",
                ),
                (0, "for", "Fairness", "Twelve months is generous; many cities use six."),
                (
                    0,
                    "against",
                    "Enforcement",
                    "Who decides a home is empty? This needs a clear appeal process.",
                ),
                (1, "all", "Exemptions", "People in hospital or care must never pay this levy."),
                (
                    1,
                    "against",
                    "Exemptions",
                    "Inherited homes need at least two years before the levy starts.",
                ),
                (
                    1,
                    "for",
                    "Exemptions",
                    "Renovation exemptions will be abused unless there is a time limit.",
                ),
                (
                    1,
                    "all",
                    "Exemptions",
                    "Homes for sale or rent at a fair price should be exempt for a while.",
                ),
                (
                    2,
                    "for",
                    "Use of the money",
                    "Spend it on social rent, not on so-called affordable sales.",
                ),
                (
                    2,
                    "all",
                    "Use of the money",
                    "Publish every year how much was raised and what it built.",
                ),
                (
                    2,
                    "against",
                    "Use of the money",
                    "The money should go back to the neighbourhood where it was raised.",
                ),
                (None, "for", "", "A good step: it brings homes back into use."),
                (None, "against", "", "This punishes owners instead of building more homes."),
                (
                    0,
                    "for",
                    "Enforcement",
                    "Use council tax records to find empty homes; no new bureaucracy.",
                ),
                (2, "all", "", "长期空置的住房应该优先用于公共租赁。"),
            ),
            campaign=(
                1,
                "Scrap the levy for inherited homes: grieving families should not be taxed.",
                (
                    "Scrap the levy for inherited homes: grieving families must not be taxed.",
                    "Scrap this levy for inherited homes - grieving families should not be taxed!",
                    "Please scrap the levy for inherited houses: grieving families should not be taxed.",
                ),
            ),
            campaign_copies=14,
        ),
        sections=(
            (
                "The levy",
                "Owners of homes empty for more than twelve months pay a yearly levy of 1% of the home's value.",
            ),
            (
                "Exemptions",
                "Homes under probate, being renovated, or whose owner is in care are exempt.",
            ),
            (
                "Use of the money",
                "Everything the levy raises is spent on affordable homes in the same area.",
            ),
        ),
    ),
    DemoProposal(
        slug="cycle-parking-standards",
        title="Cycle parking standards for new buildings",
        summary="Minimum secure cycle parking for new homes and workplaces.",
        department="ministry-housing",
        state="report_published",
        tags=("transport", "planning"),
        crowd=Crowd(
            comments=(
                (
                    0,
                    "for",
                    "Security",
                    "Covered, lockable spaces are what stop people cycling: thieves.",
                ),
                (0, "against", "Cost", "One space per bedroom is too many for small flats."),
                (
                    0,
                    "all",
                    "Security",
                    "Spaces must be at ground level, not in a basement with a steep ramp.",
                ),
                (
                    0,
                    "for",
                    "Cargo bikes",
                    "Some spaces must fit cargo bikes and trailers for families.",
                ),
                (1, "for", "Showers", "Showers and lockers make the difference for long commutes."),
                (
                    1,
                    "against",
                    "Cost",
                    "Small businesses cannot afford showers in every new building.",
                ),
                (
                    1,
                    "all",
                    "Security",
                    "Workplace parking should be inside the building or watched by cameras.",
                ),
                (None, "against", "Cost", "These standards will make new homes more expensive."),
                (None, "for", "", "Long overdue: cycling should be the easy choice."),
                (0, "all", "Cargo bikes", "家庭用的货运自行车也需要停车位。"),
            ),
        ),
        report=(
            (
                0,
                "We now require one space per bedroom up to two bedrooms, at ground level, with 10% sized for cargo bikes.",
            ),
            (
                1,
                "Showers and lockers are required above 20 staff; smaller workplaces share facilities nearby.",
            ),
        ),
        report_themes=(
            (
                "Cost",
                "partly",
                "Small flats need one space per bedroom only up to two bedrooms; the cost estimate is published with the standards.",
            ),
            (
                "Security",
                "accepted",
                "Spaces must be covered, lockable and at ground level or reached by a gentle ramp.",
            ),
            ("Cargo bikes", "accepted", "One space in ten must fit a cargo bike or a trailer."),
            ("Showers", "partly", "Showers are required in workplaces above 20 staff."),
        ),
        sections=(
            ("Homes", "New homes provide one secure, covered cycle space per bedroom."),
            (
                "Workplaces",
                "New workplaces provide one space for every five staff, with showers and lockers.",
            ),
        ),
    ),
    DemoProposal(
        slug="street-trees-plan",
        title="Street trees plan",
        summary="Planting ten thousand street trees over five years.",
        department="riverton-housing",
        state="draft",
        tags=("environment",),
        sections=(
            (
                "Planting",
                "Ten thousand trees over five years, prioritising streets with the least shade.",
            ),
        ),
    ),
]
