from ninja import Schema

from anjian.core.api import resource_router
from tests.kernel_app.registry import ORDER


class OrderOut(Schema):
    id: int
    title: str
    status: str
    version: int


router = resource_router(ORDER, out=OrderOut)
