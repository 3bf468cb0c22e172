from django.db import migrations


def load(apps, schema_editor):
    from anjian.risks.scoring import DEFAULT_LEVEL_CONTROL, DEFAULT_MEASURE_KINDS

    MeasureKind = apps.get_model("risks", "MeasureKind")
    for position, (code, name, national_kind) in enumerate(DEFAULT_MEASURE_KINDS):
        MeasureKind.objects.get_or_create(
            code=code, defaults={"name": name, "national_kind": national_kind, "position": position}
        )
    LevelControl = apps.get_model("risks", "LevelControl")
    for level, owning_levels in DEFAULT_LEVEL_CONTROL.items():
        LevelControl.objects.get_or_create(level=level, defaults={"owning_levels": owning_levels})


class Migration(migrations.Migration):
    dependencies = [("risks", "0003_control_and_inspection")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
