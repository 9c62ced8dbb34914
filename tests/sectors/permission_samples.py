def samples(process):
    from atout.sectors.models import Filiere

    filiere, _created = Filiere.objects.get_or_create(
        process=process, slug="exemple-permissions", defaults={"name": "Filière d'exemple", "naf_codes": ["F"]})
    kwargs = {"slug": process.slug, "filiere": filiere.slug}
    return {"sectors:detail": kwargs, "sectors:edit": kwargs}
