from __future__ import annotations

from decimal import Decimal

from anjian.hazards.models import HazardCategory
from anjian.inspections import services
from anjian.inspections.models import AnswerType, ChecklistTemplate


def make_checklist(name: str = "配电房体检卡", *, actor=None, **fields) -> ChecklistTemplate:
    """A library checklist (no owner) with a pass/fail item, a number item and a photo item."""
    template = ChecklistTemplate.objects.create(name=name, **fields)
    services.checklist_publish(
        actor=actor,
        template=template,
        items=[
            {"text": "配电箱门完好、上锁", "clause": "GB 50054", "category": HazardCategory.objects.get(code="S02")},
            {
                "text": "接地电阻",
                "answer_type": AnswerType.NUMBER,
                "min_value": Decimal("0"),
                "max_value": Decimal("4"),
                "unit": "Ω",
            },
            {"text": "灭火器压力正常", "photo_required": True, "category": HazardCategory.objects.get(code="S03")},
        ],
    )
    template.refresh_from_db()
    return template
