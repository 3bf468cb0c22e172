from django.db import migrations


def load(apps, schema_editor):
    from anjian.risks.reference_data import load_risk_bands

    load_risk_bands(apps.get_model("risks", "RiskBand"))


class Migration(migrations.Migration):
    dependencies = [("risks", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
