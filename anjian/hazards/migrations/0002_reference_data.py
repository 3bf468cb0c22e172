from django.db import migrations


def load(apps, schema_editor):
    from anjian.hazards.reference_data import load_categories, load_escalation_steps

    load_categories(apps.get_model("hazards", "HazardCategory"))
    load_escalation_steps(apps.get_model("hazards", "EscalationStep"))


class Migration(migrations.Migration):
    dependencies = [("hazards", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
