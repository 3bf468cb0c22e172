from __future__ import annotations

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from anjian.hazards.models import Hazard, HazardCategory, HazardSource

# A real 1×1 PNG: uploads are checked by content.
PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def photo(name: str = "现场.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG_BYTES, content_type="image/png")


def category(code: str = "S02") -> HazardCategory:
    return HazardCategory.objects.get(code=code)


class HazardFactory(factory.django.DjangoModelFactory):
    """A reported hazard; pass ``enterprise``. Use the services to move it along."""

    class Meta:
        model = Hazard

    region = factory.LazyAttribute(lambda o: o.enterprise.region)
    place = factory.Sequence(lambda n: f"{n}号车间")
    category = factory.LazyFunction(category)
    description = "配电箱门缺失，线路裸露"
    source = HazardSource.SELF_CHECK
    reported_at = factory.LazyFunction(timezone.now)
