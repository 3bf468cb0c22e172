from django.db import migrations


def load(apps, schema_editor):
    from anjian.inspections.reference_data import load_patrol_rules

    load_patrol_rules(apps.get_model("inspections", "PatrolRule"))


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
