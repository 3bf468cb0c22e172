from django.core.exceptions import ValidationError

from tests.kernel_app.workflow import ORDER_FLOW


def order_approve(*, actor, order, note: str, expected_version=None):
    def change(o):
        if not note.strip():
            raise ValidationError({"note": ["请填写审批意见"]})
        o.approval_note = note.strip()
        return {"note": o.approval_note}

    return ORDER_FLOW.move(actor=actor, record=order, name="approve", change=change, expected_version=expected_version)


def order_close(*, actor, order, note: str = "", expected_version=None):
    def change(o):
        o.closing_note = note

    return ORDER_FLOW.move(actor=actor, record=order, name="close", change=change, expected_version=expected_version)


def order_open(*, actor, enterprise, title: str):
    from anjian.core import audit
    from tests.kernel_app.models import WorkOrder

    order = WorkOrder.objects.create(enterprise=enterprise, region_id=enterprise.region_id, title=title.strip())
    audit.record(actor=actor, action="create", instance=order, changes={"title": [None, order.title]})
    return order
