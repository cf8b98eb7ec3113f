from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("pages", "0001_dashboard_figures_snapshot"),
    ]

    operations = [
        migrations.CreateModel(
            name="DashboardContent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("html", models.TextField()),
                ("data_version", models.BigIntegerField()),
                ("worked_out_at", models.DateTimeField()),
                ("refresh_queued_at", models.DateTimeField(blank=True, null=True)),
            ],
            options={
                "verbose_name_plural": "dashboard content",
            },
        ),
    ]
