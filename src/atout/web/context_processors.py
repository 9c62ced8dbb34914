from django.conf import settings


def instance(request):
    """The instance's theme (name, colours, logo) for every template."""
    return {"theme": settings.ATOUT_THEME}
