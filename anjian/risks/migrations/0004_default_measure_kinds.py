from django.db import migrations


def load(apps, schema_editor):
    from anjian.risks.reference_data import load_level_control, load_measure_kinds

    load_measure_kinds(apps.get_model("risks", "MeasureKind"))
    load_level_control(apps.get_model("risks", "LevelControl"))


class Migration(migrations.Migration):
    dependencies = [("risks", "0003_control_and_inspection")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
