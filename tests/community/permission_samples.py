import datetime as dt


def samples(process):
    from django.utils import timezone

    from atout.community.models import Ambassador, Event, Story
    from atout.territories.models import Territory

    valence = Territory.objects.get(level="commune", code="26362")
    start = timezone.now() + dt.timedelta(days=20)
    event = Event.objects.create(process=process, title="Réunion d'essai", start=start, end=start + dt.timedelta(hours=2),
                                 commune=valence, venue="Mairie", capacity=10)
    ambassador = Ambassador.objects.create(process=process, display_name="Essai", kind="resident", commune=valence,
                                           status=Ambassador.Status.APPROVED)
    story = Story.objects.create(ambassador=ambassador, title="Essai", text="Texte", consent_publish=True,
                                 status=Story.Status.PUBLISHED)
    slug = {"slug": process.slug}
    return {
        "community:login_link": {"token": "not-a-token"},
        "community:confirm": {"token": "not-a-token"},
        "community:unsubscribe": {"token": "not-a-token"},
        "community:registration": {"token": "not-a-token"},
        "community:event": {**slug, "event": event.pk},
        "community:attendance": {**slug, "event": event.pk},
        "community:story_photo": {**slug, "story": story.pk},
    }
