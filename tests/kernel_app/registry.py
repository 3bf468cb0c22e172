from anjian.core import registry
from anjian.core.actions import Action
from anjian.core.registry import Column, Resource
from anjian.core.scoping import ScopeSpec
from tests.kernel_app import forms, rules, services
from tests.kernel_app.models import WorkOrder
from tests.kernel_app.workflow import ORDER_FLOW

ORDER = registry.register(
    Resource(
        model=WorkOrder,
        slug="work-orders",
        namespace="kernel_app",
        scope=ScopeSpec(enterprise="enterprise", region="region"),
        columns=[Column("title", "标题", link=True), Column("status", "状态")],
        detail_sections=[("工单", ["enterprise", "title", "status", "approval_note", "closing_note"])],
        actions=[
            Action(
                "open",
                "新建工单",
                collection=True,
                form=forms.OpenForm,
                form_kwargs=lambda user, _none: {"user": user},
                may=rules.may_open,
                service=services.order_open,
            ),
            Action(
                "approve",
                workflow=ORDER_FLOW,
                form=forms.ApproveForm,
                service=services.order_approve,
                record_arg="order",
                done="已批准",
            ),
            Action(
                "close",
                workflow=ORDER_FLOW,
                form=forms.CloseForm,
                service=services.order_close,
                record_arg="order",
                style="success",
            ),
        ],
    )
)


def scope_test_object(world):
    return WorkOrder.objects.create(enterprise=world.enterprise_a, region=world.enterprise_a.region, title="动火")


ORDER.test_factory = scope_test_object
