"""One SWOT item per statement: the sub-territory foreign key becomes a set of sub-territories plus "holds for
the whole territory", and the items that differed only by their sub-territory (the same proposal found in
several zones) are merged into one, with all their evidence."""

from django.db import migrations, models

#: Best status first: a group is accepted when any of its items was.
STATUS_ORDER = ["accepted", "proposed", "rejected"]


def group_by_place(apps, schema_editor):
    SwotItem = apps.get_model("strategy", "SwotItem")
    EvidenceLink = apps.get_model("strategy", "EvidenceLink")
    ContentType = apps.get_model("contenttypes", "ContentType")
    item_type = ContentType.objects.filter(app_label="strategy", model="swotitem").first()
    groups: dict[tuple, list] = {}
    for item in SwotItem.objects.exclude(status="merged").order_by("pk"):
        groups.setdefault((item.process_id, item.kind, " ".join(item.title.split()).casefold()), []).append(item)
    for items in groups.values():
        # The whole-territory item (else the oldest) stays; the others join it.
        keep = next((i for i in items if i.subterritory_id is None), items[0])
        keep.whole_territory = any(i.subterritory_id is None for i in items)
        keep.status = min((i.status for i in items), key=lambda s: STATUS_ORDER.index(s) if s in STATUS_ORDER else 9)
        keep.save(update_fields=["whole_territory", "status"])
        keep.subterritories.set({i.subterritory_id for i in items if i.subterritory_id})
        others = [i.pk for i in items if i.pk != keep.pk]
        if not others:
            continue
        if item_type is not None:
            already = set(EvidenceLink.objects.filter(target_type=item_type, target_id=keep.pk)
                          .values_list("evidence_id", flat=True))
            for link in EvidenceLink.objects.filter(target_type=item_type, target_id__in=others).order_by("pk"):
                if link.evidence_id not in already:
                    EvidenceLink.objects.create(evidence_id=link.evidence_id, target_type=item_type, target_id=keep.pk,
                                                note=link.note)
                    already.add(link.evidence_id)
            EvidenceLink.objects.filter(target_type=item_type, target_id__in=others).delete()
        SwotItem.objects.filter(merged_into_id__in=others).update(merged_into_id=keep.pk)
        SwotItem.objects.filter(pk__in=others).delete()


def ungroup(apps, schema_editor):
    """Back to one sub-territory per item: the first one (the others are lost in that direction)."""
    SwotItem = apps.get_model("strategy", "SwotItem")
    for item in SwotItem.objects.all():
        first = None if item.whole_territory else item.subterritories.order_by("pk").first()
        if first is not None:
            item.subterritory = first
            item.save(update_fields=["subterritory"])


class Migration(migrations.Migration):
    # PostgreSQL refuses to alter a table whose rows the data step just changed in the same transaction
    # ("pending trigger events"): each step commits on its own; the data step is atomic by itself.
    atomic = False

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("strategy", "0004_prioritisation_ranking"),
        ("territories", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="swotitem",
            name="subterritories",
            field=models.ManyToManyField(blank=True, help_text="Où l'élément ressort en particulier.", related_name="+",
                                         to="territories.territory", verbose_name="sous-territoires"),
        ),
        migrations.AddField(
            model_name="swotitem",
            name="whole_territory",
            field=models.BooleanField(default=True, verbose_name="tout le territoire"),
        ),
        migrations.RunPython(group_by_place, ungroup, atomic=True),
        migrations.RemoveField(
            model_name="swotitem",
            name="subterritory",
        ),
    ]
