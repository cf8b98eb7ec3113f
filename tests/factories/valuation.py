import importlib

from django.apps import apps as django_apps

from evidence.models import UnitValue

WELLBY = "Wellbeing (WELLBY)"


def wellby() -> UnitValue:
    """The Green Book WELLBY value and the deflator series as their migration ships them. A
    test that flushes the database (the browser tests) takes migrated rows away with it, so
    this ships them again when they are gone."""
    if not UnitValue.objects.filter(name=WELLBY, shipped=True).exists():
        shipping = importlib.import_module("evidence.migrations.0004_valuation")
        shipping.ship_values(django_apps, None)
    return UnitValue.objects.get(name=WELLBY, shipped=True)
