"""Demo and scale risk data for the demo generator (``manage.py demo``).

``contribute(context)`` is called by anjian/demo/enterprises.py once the enterprises and accounts
exist. Every enterprise gets 2–6 risk points named after its industry (配电房, 空压机房, 危化品仓库,
喷涂车间, 有限空间(污水池) …), each with a kind, accident types, one LEC or LS assessment whose level
comes from the band table (``services.bands``, so the point's level always matches its score),
1–2 risk events with 1–3 control measures each. Most enterprises confirmed last month's risk list.

Only the showcase enterprise (``context.demo_enterprise``) and, in a small installation (up to
``INSPECTION_UP_TO`` enterprises), up to ``OTHER_INSPECTED`` others get inspection points, tasks
(hourly / per shift / daily, some with before-and-after photos), today's generated schedule and
the checks of the past hours, so the board shows green, red and — for the showcase, through
``services.point_check`` and a real hazard — yellow.

Speed: risk rows go straight to the tables (COPY on PostgreSQL, executemany elsewhere) with ids
reserved up front; each enterprise draws from its own ``Random(f"{seed}:risks:{id}")``.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from collections import defaultdict
from decimal import Decimal

from django.utils import timezone

from anjian.core.roles import Role
from anjian.demo.bulk import BulkWriter

CHUNK_ENTERPRISES = 2000
INSPECTION_UP_TO = 500
OTHER_INSPECTED = 50
REVIEW_SHARE = 0.85
HISTORY = dt.timedelta(hours=6)  # how far back the showcase's schedule and checks go
MANAGERS = (Role.SAFETY_OFFICER, Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_LEADER)

# name, kind, accident types, [(event, accident type, consequence, [(measure kind, description, owning level)])],
# inspection [(task content, cycle, evidence)]
Template = tuple[str, str, list[str], list[tuple], list[tuple[str, str, str]]]
GENERAL: list[Template] = [
    (
        "配电房",
        "area",
        ["electric", "fire"],
        [
            (
                "电气设备漏电触电",
                "electric",
                "人员触电伤亡",
                [
                    ("engineering", "配电柜设漏电保护和接地，地面铺绝缘垫", "workshop"),
                    ("management", "持证电工操作，停送电执行工作票", "team"),
                    ("ppe", "操作时穿戴绝缘手套、绝缘鞋", "post"),
                ],
            ),
            ("电缆过热起火", "fire", "火灾、停电", [("maintenance", "每季度红外测温，电缆沟防火封堵", "workshop")]),
        ],
        [("配电柜无异响异味、指示灯正常、绝缘垫完好", "shift", "none")],
    ),
    (
        "空压机房",
        "equipment",
        ["vessel", "machinery"],
        [
            (
                "储气罐超压爆炸",
                "vessel",
                "人员伤亡、设备损毁",
                [
                    ("maintenance", "安全阀每年校验，压力表在检定期内", "workshop"),
                    ("engineering", "设超压自动停机联锁", "workshop"),
                ],
            ),
            ("皮带轮卷入", "machinery", "肢体伤害", [("engineering", "传动部位防护罩齐全", "team")]),
        ],
        [("压力表读数正常、安全阀铅封完好、储气罐排水", "hour", "none")],
    ),
    (
        "叉车作业",
        "operation",
        ["vehicle"],
        [
            (
                "叉车撞人、倾翻",
                "vehicle",
                "人员伤亡",
                [
                    ("training", "司机持特种设备作业证上岗", "team"),
                    ("management", "厂内限速5公里，人车分流", "workshop"),
                    ("maintenance", "班前点检制动、喇叭、灯光", "post"),
                ],
            )
        ],
        [("叉车班前点检：制动、喇叭、灯光、货叉", "shift", "photo")],
    ),
    (
        "有限空间(污水池)",
        "area",
        ["poisoning", "drowning"],
        [
            (
                "硫化氢中毒窒息",
                "poisoning",
                "多人中毒死亡",
                [
                    ("management", "先通风、再检测、后作业，作业审批", "company"),
                    ("emergency", "配备正压式呼吸器和三脚架，专人监护", "workshop"),
                    ("training", "有限空间作业专项培训", "workshop"),
                ],
            ),
            ("失足落水", "drowning", "淹溺", [("engineering", "池边护栏、盖板完好", "team")]),
        ],
        [("盖板锁闭、警示标志完好、检测仪在位", "day", "photo")],
    ),
    (
        "危废暂存间",
        "area",
        ["fire", "poisoning"],
        [("危废泄漏起火", "fire", "火灾、环境污染", [("engineering", "防渗漏托盘、导流沟和收集池", "workshop")])],
        [("危废分类存放、标签齐全、无泄漏", "day", "none")],
    ),
    (
        "锅炉房",
        "equipment",
        ["boiler", "burn"],
        [
            (
                "锅炉缺水超压爆炸",
                "boiler",
                "人员伤亡",
                [("maintenance", "水位计、安全阀、压力表定期校验", "company"), ("training", "司炉工持证上岗", "team")],
            )
        ],
        [("水位、压力正常，排污记录齐全", "hour", "none")],
    ),
]
BY_INDUSTRY: dict[str, list[Template]] = {
    "chemical": [
        (
            "危化品仓库",
            "substance",
            ["fire", "other_explosion", "poisoning"],
            [
                (
                    "易燃液体泄漏遇火爆炸",
                    "other_explosion",
                    "群死群伤",
                    [
                        ("engineering", "防爆电气、可燃气体报警器联锁排风", "company"),
                        ("management", "分区分类存放，双人双锁", "workshop"),
                        ("emergency", "配备吸附棉、消防沙和应急预案", "workshop"),
                    ],
                ),
                ("有毒物质泄漏中毒", "poisoning", "中毒", [("ppe", "配备防毒面具和防护服", "post")]),
            ],
            [("可燃气体报警器正常、无泄漏、温湿度正常", "hour", "none")],
        ),
        (
            "反应釜区",
            "equipment",
            ["vessel", "fire", "poisoning"],
            [
                (
                    "反应失控超温超压",
                    "vessel",
                    "爆炸、人员伤亡",
                    [
                        ("engineering", "温度压力联锁、紧急泄放装置", "company"),
                        ("management", "严格执行工艺操作规程", "team"),
                    ],
                )
            ],
            [("温度、压力在工艺指标内，联锁投用", "hour", "none")],
        ),
    ],
    "metal": [
        (
            "喷涂车间",
            "area",
            ["fire", "other_explosion", "poisoning"],
            [
                (
                    "漆雾粉尘爆炸",
                    "other_explosion",
                    "火灾爆炸",
                    [
                        ("engineering", "防爆风机和防爆电气，静电接地", "company"),
                        ("maintenance", "喷房过滤棉定期更换清理", "team"),
                    ],
                ),
                ("有机溶剂中毒", "poisoning", "职业中毒", [("ppe", "作业人员佩戴防毒口罩", "post")]),
            ],
            [("喷房过滤棉清理、风机运行正常", "shift", "before_after")],
        ),
        (
            "冲压车间",
            "operation",
            ["machinery"],
            [
                (
                    "冲床压手",
                    "machinery",
                    "手指截断",
                    [
                        ("engineering", "光电保护和双手按钮有效", "workshop"),
                        ("training", "冲压工岗前培训", "team"),
                    ],
                )
            ],
            [("光电保护、双手按钮试验有效", "shift", "none")],
        ),
        (
            "行车吊装作业",
            "operation",
            ["lifting", "struck"],
            [("吊物坠落", "lifting", "人员伤亡", [("maintenance", "钢丝绳、吊钩防脱装置每日点检", "team")])],
            [("钢丝绳、吊钩、限位器点检", "day", "photo")],
        ),
    ],
    "dust": [
        (
            "粉尘除尘系统",
            "equipment",
            ["other_explosion", "fire"],
            [
                (
                    "除尘器粉尘爆炸",
                    "other_explosion",
                    "群死群伤",
                    [
                        ("engineering", "泄爆片、隔爆阀和火花探测装置", "company"),
                        ("maintenance", "每班清理积尘，灰斗不积存", "team"),
                        ("management", "粉尘清扫制度和记录", "workshop"),
                    ],
                )
            ],
            [("除尘清理：灰斗、管道无积尘", "shift", "before_after")],
        ),
    ],
    "food": [
        (
            "液氨制冷机房",
            "equipment",
            ["poisoning", "vessel"],
            [
                (
                    "液氨泄漏中毒",
                    "poisoning",
                    "群体中毒",
                    [
                        ("engineering", "氨气浓度报警与事故排风联锁", "company"),
                        ("emergency", "喷淋装置、空气呼吸器和应急演练", "workshop"),
                    ],
                )
            ],
            [("氨浓度报警器正常、无异味、压力正常", "hour", "none")],
        ),
    ],
}
INDUSTRY_GROUPS = {
    "chemical": ("C25", "C26", "C27", "C28", "C29"),
    "metal": ("C31", "C32", "C33", "C34", "C35", "C36", "C37", "C38", "C39", "C40", "C43"),
    "dust": ("C17", "C19", "C20", "C21", "C22", "C24", "C30"),
    "food": ("C13", "C14", "C15"),
}
PLACES = ("一号车间", "二号车间东侧", "厂区北侧", "仓库区", "动力车间", "综合楼一层", "厂区西南角", "生产楼二层")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗陆顾沈钱"
GIVEN = "建国明华军伟芳丽强磊洋勇杰涛超敏斌刚平辉鹏飞宇浩凯健俊峰文"
UNITS = {"company": "安全环保部", "workshop": "生产车间", "team": "班组", "post": "岗位"}
LEC_L = ("0.5", "1", "1", "3", "3", "6")
LEC_E = ("1", "2", "3", "3", "6", "6")
LEC_C = ("1", "3", "7", "7", "15", "15", "40")
LS_L = (1, 2, 2, 3, 3, 4, 5)
LS_S = (1, 2, 3, 3, 4, 4, 5)


def _group(industry_id: str | None) -> str | None:
    code = industry_id or ""
    return next((g for g, prefixes in INDUSTRY_GROUPS.items() if code.startswith(prefixes)), None)


def templates_for(industry_id: str | None) -> list[Template]:
    group = _group(industry_id)
    return BY_INDUSTRY.get(group, []) + GENERAL


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


class _RiskGenerator:
    def __init__(self, context):
        from anjian.risks.bands import band_set
        from anjian.risks.models import MeasureKind

        self.context = context
        self.seed = context.seed
        self.now = timezone.now()
        self.writer = BulkWriter()
        sets = {method: band_set(method) for method in ("lec", "ls")}
        self.bands = {method: bands for method, (_version, bands) in sets.items()}
        self.band_versions = {method: version.pk if version else None for method, (version, _b) in sets.items()}
        self.kinds = dict(MeasureKind.objects.values_list("code", "pk"))
        self.stats: dict[str, int] = defaultdict(int)
        self.levels: dict[int, dict[str, int]] = {}
        last_month_end = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
        self.last_month = last_month_end.replace(day=1)

    def _assess(self, rng: random.Random) -> tuple:
        from anjian.risks import scoring

        if rng.random() < 0.6:
            values = [Decimal(rng.choice(LEC_L)), Decimal(rng.choice(LEC_E)), Decimal(rng.choice(LEC_C))]
            score = values[0] * values[1] * values[2]
            return "lec", values[0], values[1], values[2], score, scoring.level_for(score, self.bands["lec"])
        likelihood, severity = Decimal(rng.choice(LS_L)), Decimal(rng.choice(LS_S))
        score = likelihood * severity
        return "ls", likelihood, None, severity, score, scoring.level_for(score, self.bands["ls"])

    def run(self, enterprise_ids: list[int], admin_id: int | None) -> None:
        from anjian.core.models import User
        from anjian.enterprises.models import Enterprise
        from anjian.risks.models import RiskPoint

        for start in range(0, len(enterprise_ids), CHUNK_ENTERPRISES):
            chunk = enterprise_ids[start : start + CHUNK_ENTERPRISES]
            done = set(RiskPoint.objects.filter(enterprise_id__in=chunk).values_list("enterprise_id", flat=True))
            rows = list(
                Enterprise.objects.filter(pk__in=chunk)
                .exclude(pk__in=done)
                .values_list("pk", "region_id", "industry_id")
            )
            managers: dict[int, int] = {}
            for user_id, enterprise_id in (
                User.objects.filter(enterprise_id__in=chunk, role__in=MANAGERS, is_active=True)
                .order_by("role", "pk")
                .values_list("pk", "enterprise_id")
            ):
                managers.setdefault(enterprise_id, user_id)
            self._chunk(sorted(rows), managers, admin_id)

    def _chunk(self, enterprises: list[tuple], managers: dict[int, int], admin_id: int | None) -> None:
        point_rows, assessment_rows, event_rows, measure_rows, review_rows = [], [], [], [], []
        plans = []
        for pk, region_id, industry_id in enterprises:
            rng = random.Random(f"{self.seed}:risks:{pk}")
            choices = templates_for(industry_id)
            count = min(len(choices), rng.randint(2, 6))
            if pk == getattr(self.context.demo_enterprise, "pk", None):
                count = min(len(choices), max(count, 4))  # red, yellow and green tiles on its board
            plans.append((pk, region_id, rng, rng.sample(choices, count)))
        total_points = sum(len(p[3]) for p in plans)
        total_events = sum(len(t[3][:2]) for p in plans for t in p[3])
        showcase = getattr(self.context.demo_enterprise, "pk", None)
        point_id = self.writer.reserve_ids("risks_riskpoint", total_points)
        event_id = self.writer.reserve_ids("risks_riskevent", total_events)
        for pk, region_id, rng, chosen in plans:
            manager = managers.get(pk)
            counts = {"major": 0, "high": 0, "general": 0, "low": 0, "unassessed": 0}
            for name, kind, accident_types, events, _tasks in chosen:
                collected = self.now - dt.timedelta(days=rng.randint(60, 700), minutes=rng.randint(0, 600))
                method, likelihood, exposure, consequence, score, level = self._assess(rng)
                counts[level] += 1
                responsible = _person(rng)
                point_rows.append(
                    (
                        point_id,
                        pk,
                        region_id,
                        name,
                        rng.choice(PLACES),
                        kind,
                        json.dumps(accident_types),
                        rng.randint(0, 12),
                        responsible,
                        f"139{rng.randint(10000000, 99999999)}",
                        level,
                        manager,
                        collected,
                        False,
                    )
                )
                assessment_rows.append(
                    (
                        point_id,
                        method,
                        likelihood,
                        exposure,
                        consequence,
                        score,
                        level,
                        manager,
                        collected + dt.timedelta(days=rng.randint(0, 20)),
                        "",
                        self.band_versions[method],
                    )
                )
                for event_name, accident_type, consequence_text, measures in events[: rng.randint(1, 2)]:
                    event_rows.append((event_id, point_id, event_name, accident_type, consequence_text, False))
                    for code, description, owning in measures[: rng.randint(1, 3)]:
                        measure_rows.append(
                            (
                                event_id,
                                self.kinds.get(code) or next(iter(self.kinds.values())),
                                description,
                                owning,
                                UNITS[owning],
                                None,
                                responsible if owning in ("company", "workshop") else _person(rng),
                                False,
                            )
                        )
                    event_id += 1
                point_id += 1
            self.levels[pk] = counts
            confirmer = manager or admin_id
            if confirmer and (pk == showcase or rng.random() < REVIEW_SHARE):
                day = self.last_month.replace(day=rng.randint(20, 28))
                confirmed = timezone.make_aware(dt.datetime.combine(day, dt.time(rng.randint(8, 17))))
                note = rng.choice(("", "", "无变化", "新增风险点一处，已评价", "调整管控措施责任人"))
                review_rows.append((pk, region_id, self.last_month, confirmer, confirmed, note, json.dumps(counts)))
        # The event rows may be fewer than reserved (1–2 of up to 2 per template): ids stay unique.
        self.writer.write(
            "risks_riskpoint",
            (
                "id",
                "enterprise_id",
                "region_id",
                "name",
                "place",
                "kind",
                "accident_types",
                "equipment_count",
                "responsible_name",
                "responsible_phone",
                "level",
                "collected_by_id",
                "collected_at",
                "archived",
            ),
            point_rows,
        )
        self.writer.write(
            "risks_riskassessment",
            (
                "risk_point_id",
                "method",
                "likelihood",
                "exposure",
                "consequence",
                "score",
                "level",
                "assessed_by_id",
                "assessed_at",
                "note",
                "band_version_id",
            ),
            assessment_rows,
        )
        self.writer.write(
            "risks_riskevent", ("id", "risk_point_id", "name", "accident_type", "consequence", "archived"), event_rows
        )
        self.writer.write(
            "risks_controlmeasure",
            (
                "event_id",
                "kind_id",
                "description",
                "owning_level",
                "owning_unit",
                "responsible_id",
                "responsible_name",
                "archived",
            ),
            measure_rows,
        )
        self.writer.write(
            "risks_riskreview",
            ("enterprise_id", "region_id", "month", "confirmed_by_id", "confirmed_at", "note", "counts"),
            review_rows,
        )
        self.stats["points"] += len(point_rows)
        self.stats["events"] += len(event_rows)
        self.stats["measures"] += len(measure_rows)
        self.stats["reviews"] += len(review_rows)


# --- inspection points and today's checks -------------------------------------------------------


def _photo():
    from django.core.files.uploadedfile import SimpleUploadedFile

    png = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
        b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
    )
    return SimpleUploadedFile("巡检.png", png, content_type="image/png")


def _inspect(enterprise_id: int, *, seed: int, showcase: bool, now: dt.datetime, stats: dict) -> None:
    """Inspection points, tasks, today's schedule and the past hours' checks of one enterprise."""
    from anjian.core.models import User
    from anjian.risks import schedule, services
    from anjian.risks.models import ControlMeasure, InspectionPoint, InspectionTask, PointCheck, RiskPoint, TaskSlot

    rng = random.Random(f"{seed}:risk-inspections:{enterprise_id}")
    people = list(
        User.objects.filter(enterprise_id=enterprise_id, is_active=True, role__in=[*MANAGERS, Role.EMPLOYEE])
        .order_by("pk")
        .values_list("pk", "role")
    )
    if not people:
        return
    workers = [pk for pk, role in people if role == Role.EMPLOYEE] or [pk for pk, _role in people]
    points = list(RiskPoint.objects.filter(enterprise_id=enterprise_id, archived=False).order_by("pk"))
    first_measure = {}
    for pk, risk_point_id in ControlMeasure.objects.filter(event__risk_point__in=points).values_list(
        "pk", "event__risk_point_id"
    ):
        first_measure.setdefault(risk_point_id, pk)
    catalogue = {t[0]: t for group in [GENERAL, *BY_INDUSTRY.values()] for t in group}
    start_day = timezone.localdate(now - HISTORY)
    tasks: list[InspectionTask] = []
    roles: dict[int, str] = {}  # inspection point id -> green / red / yellow
    for index, risk_point in enumerate(points):
        measure_id = first_measure.get(risk_point.pk)
        if measure_id is None:
            continue
        point = InspectionPoint.objects.create(
            enterprise_id=enterprise_id,
            region_id=risk_point.region_id,
            risk_point=risk_point,
            name=f"{risk_point.name}巡检点",
            place=risk_point.place,
        )
        if showcase:
            role = {0: "red", 1: "yellow"}.get(index, "green")
        else:
            role = "red" if rng.random() < 0.2 else "green"
        roles[point.pk] = role
        specs = list(catalogue.get(risk_point.name, ("", "", [], [], [("巡检点状况正常", "shift", "none")]))[4])
        content, cycle, evidence = specs[0]
        if role in ("red", "yellow"):
            cycle = "hour"  # a missed or failed hour shows at once
        owner = rng.choice(workers)
        tasks.append(
            InspectionTask(
                measure_id=measure_id,
                point=point,
                content=content,
                cycle=cycle,
                evidence=evidence,
                owner_id=owner,
                starts_on=start_day,
            )
        )
        if rng.random() < 0.5:
            tasks.append(
                InspectionTask(
                    measure_id=measure_id,
                    point=point,
                    content="消防器材完好、通道畅通、安全标志齐全",
                    cycle="day",
                    evidence="none",
                    owner_id=owner,
                    starts_on=start_day,
                )
            )
    InspectionTask.objects.bulk_create(tasks)
    stats["inspection_points"] += len(roles)
    stats["tasks"] += len(tasks)
    schedule.generate(tasks, now=now - HISTORY)
    schedule.generate(tasks, now=now)
    slots = list(TaskSlot.objects.filter(task__in=tasks, due_from__lte=now).select_related("task").order_by("due_from"))
    by_task: dict[int, list[TaskSlot]] = defaultdict(list)
    for slot in slots:
        by_task[slot.task_id].append(slot)
    checks, filled = [], []
    for task in tasks:
        role = roles[task.point_id]
        task_slots = by_task[task.pk]
        for position, slot in enumerate(task_slots):
            is_current = slot.due_until > now
            is_previous = not is_current and position == len(task_slots) - 2
            if role in ("red", "yellow") and task.cycle == "hour" and (is_current or is_previous):
                if role == "red" or is_current:
                    continue  # red: the last hour was missed; yellow: the current one fails below
            if is_current and (now - slot.due_from) < dt.timedelta(minutes=10) and task.cycle == "hour":
                continue
            latest = min(slot.due_until, now)
            span = max(int((latest - slot.due_from).total_seconds()) - 60, 1)
            checked_at = slot.due_from + dt.timedelta(seconds=rng.randint(0, span))
            check = PointCheck(
                task=task,
                point_id=task.point_id,
                enterprise_id=enterprise_id,
                region_id=task.point.region_id,
                passed=True,
                note="",
                checked_by_id=task.owner_id,
                checked_at=checked_at,
            )
            checks.append(check)
            filled.append((slot, check))
    PointCheck.objects.bulk_create(checks)
    for slot, check in filled:
        slot.record = check
    TaskSlot.objects.bulk_update([slot for slot, _check in filled], ["record"], batch_size=500)
    stats["checks"] += len(checks)
    if showcase:
        actor = User.objects.get(pk=next(pk for pk, _role in people))
        for task in tasks:
            if roles[task.point_id] == "yellow" and task.cycle == "hour":
                services.point_check(
                    actor=actor,
                    point=task.point_id,
                    results=[
                        {
                            "task": task.pk,
                            "passed": False,
                            "note": "压力表指针卡滞，读数不准",
                            # as many photos as the task's evidence rule asks (before and after: two)
                            "photos": [_photo() for _n in range(max(services.PHOTOS_NEEDED[task.evidence], 1))],
                        }
                    ],
                )
                stats["checks"] += 1
                stats["hazards"] += 1
                break


def contribute(context) -> str:
    """Risk points, assessments, events, measures and last month's reviews for every enterprise;
    inspection points with today's checks for the showcase (and a few others when small)."""
    from anjian.core.models import User

    started = time.monotonic()
    ids = list(context.enterprise_ids)
    admin_id = (
        User.objects.filter(role=Role.PLATFORM_ADMIN).order_by("pk").values_list("pk", flat=True).first()
        or User.objects.filter(is_superuser=True).order_by("pk").values_list("pk", flat=True).first()
    )
    generator = _RiskGenerator(context)
    generator.run(ids, admin_id)
    showcase = getattr(context.demo_enterprise, "pk", None)
    inspected = [showcase] if showcase in generator.levels else []
    if len(ids) <= INSPECTION_UP_TO:
        inspected += [pk for pk in sorted(generator.levels) if pk != showcase][:OTHER_INSPECTED]
    for pk in inspected:
        _inspect(pk, seed=context.seed, showcase=pk == showcase, now=generator.now, stats=generator.stats)
    s = generator.stats
    return (
        f"风险点 {s['points']} 个（风险事件 {s['events']}、管控措施 {s['measures']}），月度自查 {s['reviews']} 份，"
        f"巡检点 {s['inspection_points']} 个、巡检任务 {s['tasks']} 项、巡检记录 {s['checks']} 条，"
        f"用时 {time.monotonic() - started:.1f} 秒"
    )


__all__ = ["contribute", "templates_for"]
