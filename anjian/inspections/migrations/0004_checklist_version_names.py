from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
    """``version`` meant two things: the optimistic-lock counter (hazards, monthly reports) and the
    published checklist version. The lock counter keeps the name; the links to a checklist version
    are ``checklist_version``."""

    dependencies = [("inspections", "0003_starter_library")]

    operations = [
        migrations.RenameField(model_name="checklistitem", old_name="version", new_name="checklist_version"),
        migrations.RenameField(model_name="inspection", old_name="version", new_name="checklist_version"),
        migrations.AlterField(
            model_name="checklistitem",
            name="checklist_version",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="items",
                to="inspections.checklistversion",
                verbose_name="体检卡版本",
            ),
        ),
        migrations.AlterModelOptions(
            name="checklistitem",
            options={"ordering": ["checklist_version", "position"], "verbose_name": "检查项", "verbose_name_plural": "检查项"},
        ),
    ]
