def samples(process):
    from atout.processes.models import ProcessRole

    role = ProcessRole.objects.filter(process=process).order_by("pk").first()
    return {
        "processes:member_change": {"slug": process.slug, "pk": role.pk},
        # An unknown token: the page says the link is not valid (404) to everyone alike.
        "processes:invitation": {"token": "lien-inconnu"},
    }
