"""Demo and scale inspections and monthly reports for the demo generator (``manage.py demo``,
``make bench``).

``contribute(context)`` is called by anjian/demo/enterprises.py once the enterprises and accounts
exist. Each enterprise gets, over the last ``MONTHS`` months up to today:

- grid patrols by its grid inspector roughly every 50–90 days (a few enterprises never visited),
- town patrols every 80–120 days (by a town admin of its town when there is one),
- a self-check in most months (by one of its own people),
- a monthly safety report for most months: most approved on time, some late, some returned with
  a reason, some missing; last month's and this month's as they would stand today (before the
  cut-off some are still waiting for review or not in yet).

So the coverage board shows a realistic mix: with the default plan (60 / 90 / 30 days) about one
enterprise in six is overdue for its grid patrol at any time. Every inspection is submitted and
uses one library checklist version: the library template named ``DEMO_TEMPLATE`` ("日常巡查", six
general items that apply to every kind and enterprise), created here through
``services.checklist_publish`` when the library has none (the starter library's specialised
checklists apply to some industries or kinds only).
People who are missing (enterprises without accounts, towns without a town admin) are replaced by
the platform admin, as the hazard demo does.

**Answers** (one per checklist item, all passed or not applicable, no failed item — a failure
would need its hazard) are written for installations of up to ``FULL_ANSWERS_UP_TO`` enterprises
and, above that, only for the demo enterprise's inspections: at province scale (20,000
enterprises, ~400,000 inspections) answers would add millions of rows nobody opens. The counts
on each inspection (passed / not applicable) match its answers where they exist.

Speed: rows go straight to the tables in chunks of enterprises — COPY on PostgreSQL, executemany
elsewhere — with inspection ids reserved up front (the answers point at them). Deterministic for
a given seed: each enterprise draws from its own ``Random(f"{seed}:inspections:{id}")``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from anjian.core.roles import Role
from anjian.core.scoping import town_code
from anjian.demo.bulk import BulkWriter
from anjian.inspections.coverage import REPORT_CUTOFF_DAY, report_deadline

MONTHS = 12
GRID_GAP = (50, 90)
TOWN_GAP = (80, 120)
NEVER_GRID = 0.03  # enterprises never visited by their grid inspector
NEVER_TOWN = 0.05
SELF_CHECK_SHARE = 0.9  # months with a self-check
FULL_ANSWERS_UP_TO = 2000
CHUNK_ENTERPRISES = 1000
DEMO_TEMPLATE = "日常巡查"
DEMO_ITEMS = [
    {"text": "安全出口、疏散通道畅通，无堆放杂物", "clause": "《消防法》第二十八条"},
    {"text": "灭火器在有效期内、压力正常，消火栓无遮挡", "clause": "GB 50444"},
    {"text": "配电箱门完好、上锁，无私拉乱接电线", "clause": "GB 50054"},
    {"text": "设备传动部位防护罩齐全，急停装置有效", "clause": "GB/T 8196"},
    {"text": "危险化学品分类存放，标识清楚", "clause": "GB 15603"},
    {"text": "员工按规定佩戴劳动防护用品", "clause": "GB 39800.1"},
]
INSPECTION_COLUMNS = (
    "id",
    "enterprise_id",
    "region_id",
    "checklist_version_id",
    "kind",
    "inspector_id",
    "status",
    "started_at",
    "submitted_at",
    "latitude",
    "longitude",
    "signed_by",
    "passed",
    "failed",
    "not_applicable",
    "summary",
)
ANSWER_COLUMNS = (
    "inspection_id",
    "item_id",
    "result",
    "number_value",
    "note",
    "answered_at",
    "latitude",
    "longitude",
)
REPORT_COLUMNS = (
    "enterprise_id",
    "region_id",
    "month",
    "status",
    "passages",
    "key_equipment",
    "electrical",
    "other",
    "submitted_at",
    "submitted_by_id",
    "reviewed_at",
    "reviewed_by_id",
    "return_reason",
    "version",
)
PASSAGES = (
    "安全出口、疏散通道畅通，无堆放杂物",
    "主要通道畅通，消防车道无占用",
    "仓库通道已清理，划线清晰",
    "疏散指示标志完好，应急照明正常",
)
EQUIPMENT = (
    "叉车、空压机运行正常，已按期检验",
    "起重机械日常点检记录完整",
    "压力容器安全阀在校验有效期内",
    "重点设备运行正常，无异常",
)
ELECTRICAL = (
    "配电箱完好上锁，无私拉乱接",
    "线路穿管敷设，漏电保护器试跳正常",
    "临时用电已办理审批，线路规范",
    "用电设备接地良好",
)
OTHER = ("", "", "本月开展消防演练一次", "组织全员安全培训一次", "新进员工已完成三级安全教育")
RETURN_REASONS = ("缺少配电房照片，请补充", "重点设备情况填写过于简单", "通道情况与现场不符，请核实后重报")
SUMMARIES = ("", "", "现场整体情况良好", "已提醒企业保持通道畅通")


@dataclass
class _Enterprise:
    pk: int
    region_id: str
    lat: float | None
    lng: float | None
    inspector: int | None
    own_people: list[tuple[int, str]]


def _month_add(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


class _InspectionGenerator:
    def __init__(self, *, seed: int, today: dt.date, enterprise_count: int, log: Callable[[str], None]):
        self.seed = seed
        self.today = today
        self.now = timezone.now()
        self.log = log
        self.full_answers = enterprise_count <= FULL_ANSWERS_UP_TO
        self.showcase: int | None = None
        self.writer = BulkWriter()
        self.tz_offset = timezone.localtime(self.now).utcoffset() or dt.timedelta(0)
        self.start = today - dt.timedelta(days=MONTHS * 31)
        self.stats: dict[str, int] = defaultdict(int)

    # -- setup -------------------------------------------------------------------------------

    def checklist(self) -> tuple[int, list[tuple]]:
        """(version id, [(item id, answer type, min, max, photo required)]) of the demo checklist."""
        from anjian.inspections import services
        from anjian.inspections.models import ChecklistItem, ChecklistTemplate

        library = ChecklistTemplate.objects.filter(
            owner_region__isnull=True, owner_enterprise__isnull=True, active=True, current_version__isnull=False
        )
        template = library.filter(name=DEMO_TEMPLATE).order_by("pk").first()
        if template is None:
            template = ChecklistTemplate.objects.create(
                name=DEMO_TEMPLATE, description="日常安全巡查（演示数据）", library_code="DEMO-DAILY"
            )
            services.checklist_publish(actor=None, template=template, items=DEMO_ITEMS, note="演示数据")
            template.refresh_from_db()
        items = list(
            ChecklistItem.objects.filter(checklist_version_id=template.current_version_id)
            .order_by("position")
            .values_list("pk", "answer_type", "min_value", "max_value", "photo_required")
        )
        return template.current_version_id, items

    def load(self, enterprise_ids: Sequence[int]) -> list[_Enterprise]:
        from anjian.core.models import User
        from anjian.enterprises.models import Enterprise

        people: dict[int, list[tuple[int, str]]] = defaultdict(list)
        rows = []
        for start in range(0, len(enterprise_ids), 5000):
            chunk = enterprise_ids[start : start + 5000]
            for pk, enterprise_id, name, username in (
                User.objects.filter(
                    enterprise_id__in=chunk,
                    role__in=(Role.SAFETY_OFFICER, Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_LEADER),
                    is_active=True,
                )
                .order_by("pk")
                .values_list("pk", "enterprise_id", "display_name", "username")
            ):
                people[enterprise_id].append((pk, name or username))
            rows += list(
                Enterprise.objects.filter(pk__in=chunk)
                .order_by("pk")
                .values_list("pk", "region_id", "latitude", "longitude", "grid_inspector_id")
            )
        people_first = User.objects.order_by("pk").values_list("pk", "display_name")
        self.fallback = people_first.filter(role=Role.PLATFORM_ADMIN).first() or people_first.first()
        self.town_admins: dict[str, tuple[int, str]] = {}
        for pk, region_id, name, username in (
            User.objects.filter(role=Role.TOWN_ADMIN, is_active=True)
            .order_by("pk")
            .values_list("pk", "region_id", "display_name", "username")
        ):
            self.town_admins.setdefault(region_id, (pk, name or username))
        inspectors = sorted({row[4] for row in rows if row[4]})
        self.inspector_names: dict[int, str] = {}
        for start in range(0, len(inspectors), 5000):
            self.inspector_names.update(
                User.objects.filter(pk__in=inspectors[start : start + 5000]).values_list("pk", "display_name")
            )
        return [
            _Enterprise(pk, region_id, lat, lng, inspector, people.get(pk, []))
            for pk, region_id, lat, lng, inspector in rows
        ]

    # -- run ---------------------------------------------------------------------------------

    def run(self, enterprise_ids: Sequence[int]) -> dict[str, int]:
        started = time.monotonic()
        enterprises = self.load(list(enterprise_ids))
        if not enterprises or self.fallback is None:
            return dict(self.stats)
        self.checklist_version_id, self.items = self.checklist()
        plans = [(ent, self.schedule(ent)) for ent in enterprises]
        next_id = self.writer.reserve_ids("inspections_inspection", sum(len(visits) for _e, visits in plans))
        for start in range(0, len(plans), CHUNK_ENTERPRISES):
            inspections, answers, reports = [], [], []
            for ent, visits in plans[start : start + CHUNK_ENTERPRISES]:
                next_id = self.inspections(ent, visits, next_id, inspections, answers)
                self.reports(ent, reports)
            self.writer.write("inspections_inspection", INSPECTION_COLUMNS, inspections)
            self.writer.write("inspections_inspectionanswer", ANSWER_COLUMNS, answers)
            self.writer.write("inspections_monthlyreport", REPORT_COLUMNS, reports)
            self.stats["inspections"] += len(inspections)
            self.stats["answers"] += len(answers)
            self.stats["reports"] += len(reports)
            done = min(start + CHUNK_ENTERPRISES, len(plans))
            if done % (CHUNK_ENTERPRISES * 5) == 0 or done == len(plans):
                self.log(
                    f"  inspections: {done}/{len(plans)} enterprises, {self.stats['inspections']} inspections, "
                    f"{self.stats['reports']} reports, {time.monotonic() - started:.0f} s"
                )
        return dict(self.stats)

    def _moment(self, rng: random.Random, day: dt.date, hours=(8, 17)) -> dt.datetime:
        local = dt.datetime.combine(day, dt.time()) + dt.timedelta(
            seconds=rng.randint(hours[0] * 3600, hours[1] * 3600)
        )
        return (local - self.tz_offset).replace(tzinfo=dt.UTC)

    def schedule(self, ent: _Enterprise) -> list[tuple[str, dt.date]]:
        """(kind, day) of the enterprise's visits, oldest first."""
        rng = random.Random(f"{self.seed}:inspections:{ent.pk}")
        visits = []
        for kind, gap, never in (("grid_patrol", GRID_GAP, NEVER_GRID), ("town_patrol", TOWN_GAP, NEVER_TOWN)):
            if rng.random() < never:
                continue
            day = self.start + dt.timedelta(days=rng.randint(0, gap[1]))
            while day <= self.today:
                visits.append((kind, day))
                day += dt.timedelta(days=rng.randint(*gap))
        month = self.start.replace(day=1)
        while month <= self.today:
            last = calendar.monthrange(month.year, month.month)[1]
            day = month.replace(day=rng.randint(1, last))
            if self.start <= day <= self.today and rng.random() < SELF_CHECK_SHARE:
                visits.append(("self_check", day))
            month = _month_add(month, 1)
        visits.sort(key=lambda v: v[1])
        return visits

    def _inspector(self, rng, ent: _Enterprise, kind: str) -> tuple[int, str]:
        if kind == "grid_patrol" and ent.inspector:
            return ent.inspector, self.inspector_names.get(ent.inspector, "")
        if kind == "town_patrol" and town_code(ent.region_id) in self.town_admins:
            return self.town_admins[town_code(ent.region_id)]
        if kind == "self_check" and ent.own_people:
            return ent.own_people[rng.randrange(len(ent.own_people))]
        return self.fallback

    def inspections(self, ent: _Enterprise, visits, next_id: int, rows: list, answers: list) -> int:
        rng = random.Random(f"{self.seed}:inspections:{ent.pk}:rows")
        with_answers = self.full_answers or ent.pk == self.showcase
        for kind, day in visits:
            started = self._moment(rng, day)
            submitted = started + dt.timedelta(minutes=rng.randint(15, 60))
            if submitted > self.now:
                started = self.now - dt.timedelta(minutes=rng.randint(61, 120))
                submitted = started + dt.timedelta(minutes=rng.randint(15, 60))
            inspector, name = self._inspector(rng, ent, kind)
            passed, na = len(self.items), 0
            if with_answers:
                passed = na = 0
                for position, (item, answer_type, low, high, photo) in enumerate(self.items):
                    value = None
                    if answer_type == "photo" or photo or rng.random() < 0.08:
                        result = "na"
                    else:
                        result = "pass"
                        if answer_type == "number":
                            value = low if low is not None else high
                            if low is not None and high is not None:
                                value = ((low + high) / 2).quantize(Decimal("0.001"))
                    passed += result == "pass"
                    na += result == "na"
                    moment = started + dt.timedelta(minutes=position + 1)
                    answers.append((next_id, item, result, value, "", moment, ent.lat, ent.lng))
            rows.append(
                (
                    next_id,
                    ent.pk,
                    ent.region_id,
                    self.checklist_version_id,
                    kind,
                    inspector,
                    "submitted",
                    started,
                    submitted,
                    ent.lat,
                    ent.lng,
                    name or "—",
                    passed,
                    0,
                    na,
                    rng.choice(SUMMARIES),
                )
            )
            next_id += 1
        return next_id

    def reports(self, ent: _Enterprise, rows: list) -> None:
        rng = random.Random(f"{self.seed}:reports:{ent.pk}")
        current = self.today.replace(day=1)
        submitter = ent.own_people[0][0] if ent.own_people else None
        reviewer = ent.inspector or self.fallback[0]
        for back in range(MONTHS, -1, -1):
            month = _month_add(current, -back)
            deadline = report_deadline(month)
            last_day = calendar.monthrange(month.year, month.month)[1]
            draw = rng.random()
            if deadline < self.today:  # decided
                if draw < 0.80:
                    status, day = "approved", self._on_time_day(rng, month, last_day)
                elif draw < 0.86:
                    status, day = "approved", deadline + dt.timedelta(days=rng.randint(1, 15))
                elif draw < 0.90:
                    status, day = "returned", self._on_time_day(rng, month, last_day)
                else:
                    continue  # missing
            elif month < current:  # last month, before its cut-off
                if draw < 0.5:
                    status, day = "submitted", month.replace(day=last_day)
                elif draw < 0.75:
                    status, day = "approved", month.replace(day=last_day - 3)
                else:
                    continue
            else:  # this month
                if draw >= 0.2 or self.today.day < 20:
                    continue
                status, day = "submitted", self.today
            day = min(day, self.today)
            submitted = self._moment(rng, day)
            if submitted > self.now:
                submitted = self.now - dt.timedelta(minutes=rng.randint(5, 300))
            reviewed_at, reviewed_by, reason = None, None, ""
            if status in ("approved", "returned"):
                reviewed_at = min(submitted + dt.timedelta(days=rng.randint(1, 5), hours=rng.randint(0, 6)), self.now)
                reviewed_by = reviewer
                if status == "returned":
                    reason = rng.choice(RETURN_REASONS)
            rows.append(
                (
                    ent.pk,
                    ent.region_id,
                    month,
                    status,
                    rng.choice(PASSAGES),
                    rng.choice(EQUIPMENT),
                    rng.choice(ELECTRICAL),
                    rng.choice(OTHER),
                    submitted,
                    submitter,
                    reviewed_at,
                    reviewed_by,
                    reason,
                    1 if status == "submitted" else 2,
                )
            )

    def _on_time_day(self, rng: random.Random, month: dt.date, last_day: int) -> dt.date:
        """The last days of the month or the first of the next, up to the cut-off."""
        return month.replace(day=last_day) + dt.timedelta(days=rng.randint(-5, REPORT_CUTOFF_DAY - 1))


def contribute(context) -> str:
    """Inspections and monthly reports for the enterprises the demo generator just created."""
    generator = _InspectionGenerator(
        seed=context.seed, today=context.today, enterprise_count=len(context.enterprise_ids), log=lambda line: None
    )
    generator.showcase = getattr(context.demo_enterprise, "pk", None)
    started = time.monotonic()
    stats = generator.run(context.enterprise_ids)
    return (
        f"检查 {stats.get('inspections', 0)} 次（检查项结果 {stats.get('answers', 0)} 条），"
        f"月度报告 {stats.get('reports', 0)} 份，用时 {time.monotonic() - started:.1f} 秒"
    )


def ensure_inspections(*, seed: int = 2026, log: Callable[[str], None] = lambda line: None) -> int:
    """Give inspections and monthly reports to every enterprise that has neither (for ``make
    bench`` on a data set built before inspections existed). Returns how many inspections."""
    from anjian.core.models import User
    from anjian.enterprises.models import Enterprise
    from anjian.inspections.models import Inspection, MonthlyReport

    missing = list(
        Enterprise.objects.filter(
            ~Exists(Inspection.objects.filter(enterprise_id=OuterRef("pk"))),
            ~Exists(MonthlyReport.objects.filter(enterprise_id=OuterRef("pk"))),
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not missing:
        return 0
    total = Enterprise.objects.count()
    generator = _InspectionGenerator(seed=seed, today=timezone.localdate(), enterprise_count=total, log=log)
    generator.showcase = User.objects.filter(username="ent_admin").values_list("enterprise_id", flat=True).first()
    with transaction.atomic():
        stats = generator.run(missing)
    return stats.get("inspections", 0)


__all__ = ["contribute", "ensure_inspections"]
