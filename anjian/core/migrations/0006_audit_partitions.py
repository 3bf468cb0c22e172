"""Audit chain per partition (issue 11): one chain head per enterprise / district / platform.

The existing entries stay where they are: they form the legacy partition "" (hashed without a
partition key, exactly as they were written), and the single old head row becomes its head.
"""

from django.core.management.color import no_style
from django.db import migrations, models


def reset_head_ids(apps, schema_editor):
    """The old head row keeps id 1; start the new identity after it (PostgreSQL does not)."""
    head = apps.get_model("core", "AuditChainHead")
    connection = schema_editor.connection
    for statement in connection.ops.sequence_reset_sql(no_style(), [head]):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_workflow_transition"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="partition",
            field=models.CharField(blank=True, default="", max_length=64, verbose_name="分区"),
        ),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(fields=["partition", "seq"], name="core_audite_partiti_693442_idx"),
        ),
        migrations.AddField(
            model_name="auditchainhead",
            name="partition",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="auditchainhead",
            name="partition",
            field=models.CharField(max_length=64, unique=True),
        ),
        migrations.AlterField(
            model_name="auditchainhead",
            name="id",
            field=models.BigAutoField(primary_key=True, serialize=False),
        ),
        migrations.RunPython(reset_head_ids, migrations.RunPython.noop),
    ]
