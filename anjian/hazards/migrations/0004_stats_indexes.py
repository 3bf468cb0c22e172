# Indexes for hazard statistics and area lists on a large data set (see `make bench`).
# The same four lines belong in Hazard.Meta.indexes.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("hazards", "0003_major_hazard_criteria"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="hazard",
            index=models.Index(
                fields=["region", "reported_at"],
                include=(
                    "id",
                    "status",
                    "overdue",
                    "level",
                    "repeated",
                    "deadline",
                    "closed_at",
                    "enterprise",
                    "category",
                ),
                name="hazard_stats_region",
                opclasses=["varchar_pattern_ops", "timestamptz_ops"],
            ),
        ),
        migrations.AddIndex(
            model_name="hazard",
            index=models.Index(
                condition=models.Q(("status__in", ("reported", "assigned", "submitted"))),
                fields=["region"],
                include=("id", "overdue", "level", "supervised"),
                name="hazard_open_region",
                opclasses=["varchar_pattern_ops"],
            ),
        ),
        migrations.AddIndex(
            model_name="hazard",
            index=models.Index(
                condition=models.Q(("status__in", ("reported", "assigned", "submitted"))),
                fields=["-priority", "-id"],
                name="hazard_open_priority",
            ),
        ),
        migrations.AddIndex(
            model_name="hazard",
            index=models.Index(
                condition=models.Q(("status", "closed")),
                fields=["closed_at"],
                include=("region",),
                name="hazard_closed_region",
            ),
        ),
    ]
