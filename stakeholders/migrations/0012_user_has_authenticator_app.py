from django.db import migrations, models
from django.db.models import Exists, OuterRef


def fill_from_authenticators(apps, schema_editor):
    User = apps.get_model("stakeholders", "User")
    Authenticator = apps.get_model("mfa", "Authenticator")
    User.objects.update(
        has_authenticator_app=Exists(Authenticator.objects.filter(user=OuterRef("pk"), type="totp"))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("mfa", "0003_authenticator_type_uniq"),
        ("stakeholders", "0011_person_erased_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="has_authenticator_app",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.RunPython(fill_from_authenticators, migrations.RunPython.noop),
    ]
