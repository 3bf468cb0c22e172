from django.db import migrations


def load(apps, schema_editor):
    from anjian.inspections.library_data import load_library

    load_library(
        apps.get_model("inspections", "ChecklistTemplate"),
        apps.get_model("inspections", "ChecklistVersion"),
        apps.get_model("inspections", "ChecklistItem"),
        apps.get_model("hazards", "HazardCategory"),
        apps.get_model("hazards", "MajorHazardCriterion"),
    )


def unload(apps, schema_editor):
    from anjian.inspections.library_data import unload_library

    unload_library(
        apps.get_model("inspections", "ChecklistTemplate"),
        apps.get_model("inspections", "ChecklistVersion"),
        apps.get_model("inspections", "ChecklistItem"),
        apps.get_model("inspections", "Inspection"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0002_patrol_rules"),
        ("hazards", "0007_plural_name"),
    ]

    # Loading is idempotent and leaves existing templates alone; unapplying removes only the
    # templates still as shipped and never used by an inspection.
    operations = [migrations.RunPython(load, unload)]
