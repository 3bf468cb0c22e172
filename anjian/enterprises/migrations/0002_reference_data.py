"""Reference tables every installation needs (industries, supervision classes, tags, departments).

The data lives in anjian/enterprises/data/*.json, loaded by anjian/enterprises/reference_data.py;
this migration calls the loader with the historical models, so it keeps working when the models
change later."""

from django.db import migrations


def load(apps, schema_editor):
    from anjian.enterprises.reference_data import load_reference_data

    load_reference_data(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("enterprises", "0001_initial"),
        ("core", "0002_initial"),
    ]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop, elidable=False),
    ]
