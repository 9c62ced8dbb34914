"""Seed the configurable list of sectors (editable afterwards in the back office)."""

from django.db import migrations

SECTORS = [
    ("agriculture-biologique", "Agriculture biologique"),
    ("luxe-cuir", "Luxe et cuir"),
    ("nucleaire", "Nucléaire"),
    ("agroalimentaire", "Agroalimentaire"),
    ("tourisme-gastronomie", "Tourisme et gastronomie"),
    ("logistique", "Logistique"),
    ("industrie", "Industrie"),
    ("numerique", "Numérique"),
    ("sante", "Santé"),
    ("enseignement-recherche", "Enseignement et recherche"),
    ("sport", "Sport"),
    ("culture", "Culture"),
    ("commerce-artisanat", "Commerce et artisanat"),
    ("btp", "Bâtiment et travaux publics"),
    ("energie", "Énergie"),
    ("medias", "Médias"),
]


def seed(apps, schema_editor):
    Sector = apps.get_model("community", "Sector")
    for order, (code, name) in enumerate(SECTORS):
        Sector.objects.get_or_create(code=code, defaults={"name": name, "order": order})


def unseed(apps, schema_editor):
    apps.get_model("community", "Sector").objects.filter(code__in=[c for c, _n in SECTORS]).delete()


class Migration(migrations.Migration):
    dependencies = [("community", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
