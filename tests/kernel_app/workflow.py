from anjian.core.workflow import Transition, Workflow
from tests.kernel_app import rules
from tests.kernel_app.models import OrderStatus, WorkOrder

ORDER_FLOW = Workflow(
    model=WorkOrder,
    transitions=[
        Transition("approve", "批准", (OrderStatus.DRAFT,), OrderStatus.APPROVED, rules.may_approve),
        Transition("close", "关闭", (OrderStatus.APPROVED,), OrderStatus.CLOSED, rules.may_close),
    ],
)
