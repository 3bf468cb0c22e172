from decimal import Decimal

from django.db import migrations


def load(apps, schema_editor):
    from anjian.risks.scoring import DEFAULT_BANDS

    RiskBand = apps.get_model("risks", "RiskBand")
    for method, rows in DEFAULT_BANDS.items():
        for level, lower, upper in rows:
            RiskBand.objects.get_or_create(
                method=method, level=level, defaults={"lower": Decimal(lower), "upper": Decimal(upper)}
            )


class Migration(migrations.Migration):
    dependencies = [("risks", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
