from django.db import migrations


def load(apps, schema_editor):
    from anjian.hazards.criteria_data import load_criteria

    load_criteria(apps.get_model("hazards", "MajorHazardCriterion"))


class Migration(migrations.Migration):
    dependencies = [("hazards", "0002_reference_data")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
