"""Community pages: taking part, events, accounts and their data, newsletters, ambassadors, and the
team's dashboard, directory and moderation."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from atout.core import access, throttle
from atout.engine.formats.errors import FormatError
from atout.opinion.models import Conversation
from atout.territories.models import Level, Membership

from . import engagement, ical, mail, services
from .forms import (
    AmbassadorForm,
    ImportForm,
    LinkForm,
    NewsletterForm,
    ProfileForm,
    RegistrationForm,
    SignupForm,
    StoryForm,
    StoryModerationForm,
    SubscribeForm,
    prepare_commune,
)
from .maps import reach_map
from .models import (
    Ambassador,
    BrandKit,
    Category,
    Channel,
    Contact,
    Event,
    Follow,
    Newsletter,
    Organisation,
    Profile,
    Registration,
    Story,
)


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


# --- taking part --------------------------------------------------------------------------------


@access.public
def participate(request, slug):
    """Every open way to take part, for the visitor's commune when they give it."""
    from .forms import CommuneField

    process = request.process
    commune, error = None, ""
    if request.GET.get("commune"):
        try:
            commune = CommuneField(required=False, prefer=process.territory).clean(request.GET["commune"])
        except ValidationError as exc:
            error = " ".join(exc.messages)
    zone = services.subterritory_of(process, commune)
    events = Event.objects.filter(process=process, published=True, end__gte=timezone.now()).select_related("commune")
    if zone is not None:
        events = events.filter(commune__memberships__group=zone)

    conversations = Conversation.objects.filter(process=process, status=Conversation.Status.OPEN)
    return render(request, "community/participate.html", {
        "process": process, "commune": commune, "zone": zone, "error": error, "events": events[:20],
        "conversations": conversations, "surveys": _open_surveys(process),
        "commune_value": request.GET.get("commune", ""),
    })


def _open_surveys(process) -> list:
    from django.apps import apps

    try:
        Survey = apps.get_model("consultation", "Survey")
    except LookupError:
        return []
    surveys = list(Survey.objects.filter(process=process, status="open"))
    for survey in surveys:
        try:
            survey.url = survey.get_absolute_url()
        except NoReverseMatch:  # the consultation app may not route surveys yet
            survey.url = ""
    return surveys


@access.participant
@require_POST
def follow(request, slug):
    if request.POST.get("follow") == "0":
        services.unfollow(request.user, request.process)
        messages.success(request, _("Vous ne suivez plus cette démarche."))
    else:
        services.follow(request.user, request.process)
        messages.success(request, _("Vous suivez cette démarche : vous serez prévenu·e de ses étapes par courriel."))
    return redirect("community:participate", slug=slug)


# --- events -------------------------------------------------------------------------------------


@access.public
def events(request, slug):
    upcoming = (Event.objects.filter(process=request.process, published=True, end__gte=timezone.now())
                .select_related("commune").annotate(n_confirmed=Count("registrations", filter=Q(registrations__status=Registration.Status.CONFIRMED))))
    past = Event.objects.filter(process=request.process, published=True, end__lt=timezone.now()).select_related("commune").order_by("-start")[:20]
    return render(request, "community/events.html", {"process": request.process, "upcoming": upcoming, "past": past})


@access.public
def events_ical(request, slug):
    items = Event.objects.filter(process=request.process, published=True).select_related("commune")
    response = HttpResponse(ical.calendar(request.process, items, _base_url(request)), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{slug}-evenements.ics"'
    return response


@access.public
def event(request, slug, event):
    item = get_object_or_404(Event.objects.select_related("commune"), process=request.process, pk=event, published=True)
    initial = {"name": request.user.get_full_name() or request.user.username, "email": request.user.email} if request.user.is_authenticated else {}
    form = RegistrationForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if item.end < timezone.now():
            messages.error(request, _("Cet événement est passé."))
            return redirect(item)
        if form.is_valid():
            registration = services.register(item, name=form.cleaned_data["name"], email=form.cleaned_data["email"],
                                             user=request.user if request.user.is_authenticated else None,
                                             base_url=_base_url(request))
            if registration.status == Registration.Status.CONFIRMED:
                messages.success(request, _("Inscription confirmée : un courriel vous a été envoyé."))
            else:
                messages.info(request, _("L'événement est complet : vous êtes sur liste d'attente, nous vous écrirons si une place se libère."))
            return redirect(item)
    confirmed = item.confirmed_count()
    return render(request, "community/event.html", {
        "process": request.process, "event": item, "form": form, "confirmed": confirmed,
        "remaining": max(item.capacity - confirmed, 0),
    }, status=400 if form.errors else 200)


@access.public
def registration(request, token):
    """A registrant's own page (link from their e-mail): see and cancel the registration."""
    item = mail.registration_from_token(token)
    if item is None:
        return render(request, "community/link_invalid.html", status=400)
    if request.method == "POST" and item.status != Registration.Status.CANCELLED:
        services.cancel_registration(item, base_url=_base_url(request))
        messages.success(request, _("Inscription annulée. Merci d'avoir libéré votre place."))
        return redirect("community:registration", token=token)
    return render(request, "community/registration.html", {"registration": item, "event": item.event})


@access.facilitator
def attendance(request, slug, event):
    """On-site attendance: a plain list of checkboxes, usable on a phone without JavaScript."""
    item = get_object_or_404(Event.objects.select_related("commune"), process=request.process, pk=event)
    registrations = item.registrations.exclude(status=Registration.Status.CANCELLED).order_by("status", "name")
    if request.method == "POST":
        present = {int(v) for v in request.POST.getlist("present") if v.isdigit()}
        count = services.take_attendance(item, present)
        messages.success(request, _("Présences enregistrées : %(n)s personne(s).") % {"n": count})
        return redirect("community:attendance", slug=slug, event=item.pk)
    return render(request, "community/attendance.html", {"process": request.process, "event": item, "registrations": registrations})


# --- accounts -----------------------------------------------------------------------------------


def _too_many_requests(request, template: str, form):
    """The form again, with 429 and when to retry: this client asked for too many e-mails."""
    wait = throttle.hit(throttle.client_address(request))
    if wait is None:
        return None
    n = throttle.minutes(wait)
    form.add_error(None, ngettext("Trop de demandes depuis votre connexion. Réessayez dans %(minutes)d minute.",
                                  "Trop de demandes depuis votre connexion. Réessayez dans %(minutes)d minutes.",
                                  n) % {"minutes": n})
    return render(request, template, {"form": form}, status=429)


@access.public
def signup(request):
    """Sign up; the answer is the same whether the address has an account or not (services.sign_up
    tells by e-mail), and sign-ups are limited per client."""
    if request.user.is_authenticated:
        return redirect("community:account")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        refused = _too_many_requests(request, "community/signup.html", form)
        if refused:
            return refused
        data = form.cleaned_data
        services.sign_up(email=data["email"], password=data["password"], category=data["category"],
                         commune=data["commune"], consents=form.consents(), base_url=_base_url(request))
        messages.success(request, _("Un courriel vient d'être envoyé à cette adresse : ouvrez le lien qu'il contient "
                                    "pour vous connecter (valable 30 minutes)."))
        return redirect("community:link")
    return render(request, "community/signup.html", {"form": form}, status=400 if form.errors else 200)


@access.public
def link(request):
    """Ask for a sign-in link; the answer is the same whether the address is known or not."""
    form = LinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        refused = _too_many_requests(request, "community/link.html", form)
        if refused:
            return refused
        user = get_user_model().objects.filter(email__iexact=form.cleaned_data["email"], is_active=True).first()
        if user is not None:
            services.create_login_link(user, _base_url(request))
        messages.success(request, _("Si un compte existe pour cette adresse, un lien de connexion vient d'y être envoyé."))
        return redirect("community:link")
    return render(request, "community/link.html", {"form": form})


@access.public
def login_link(request, token):
    """GET shows a button and POST signs in, so that mail scanners opening the link do not spend it."""
    if request.method == "POST":
        user = services.use_login_token(token)
        if user is None:
            return render(request, "community/link_invalid.html", status=400)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Vous êtes connecté·e."))
        return redirect("community:account")
    return render(request, "community/login_link.html", {"token": token})


@access.participant
def account(request):
    # Not created on a mere visit: a profile exists once the person saves one.
    profile = Profile.objects.filter(user=request.user).first() or Profile(user=request.user)
    consents = services.current_consents(request.user)
    initial = {"category": profile.category, "commune": prepare_commune(profile.commune), **consents}
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        profile.category = form.cleaned_data["category"]
        profile.commune = form.cleaned_data["commune"]
        profile.save()
        services.record_consents(request.user, form.consents(), source="page « mon compte »")
        messages.success(request, _("Profil enregistré."))
        return redirect("community:account")
    follows = Follow.objects.filter(user=request.user).select_related("process")
    return render(request, "community/account.html", {"form": form, "follows": follows}, status=400 if form.errors else 200)


@access.participant
def my_data(request):
    data = services.personal_data(request.user)
    return render(request, "community/my_data.html", {"data": data, "pretty": json.dumps(data, ensure_ascii=False, indent=2)})


@access.participant
def my_data_json(request):
    response = JsonResponse(services.personal_data(request.user), json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = 'attachment; filename="mes-donnees.json"'
    return response


@access.participant
def delete_account(request):
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        services.delete_account(request.user)
        from django.contrib.auth import logout

        logout(request)
        messages.success(request, _("Votre compte et vos données personnelles sont supprimés ; vos contributions restent, anonymes."))
        return redirect("web:home")
    return render(request, "community/delete_account.html", {})


# --- newsletters --------------------------------------------------------------------------------


@access.public
def subscribe(request, slug):
    form = SubscribeForm(request.POST or None, process=request.process)
    if request.method == "POST" and form.is_valid():
        mail.subscribe(request.process, form.cleaned_data["email"], category=form.cleaned_data["category"],
                       commune=form.cleaned_data["commune"], base_url=_base_url(request))
        messages.success(request, _("Presque fini : confirmez votre abonnement avec le lien envoyé par courriel."))
        return redirect("community:subscribe", slug=slug)
    return render(request, "community/subscribe.html", {"process": request.process, "form": form}, status=400 if form.errors else 200)


@access.public
def confirm(request, token):
    subscription = mail.confirm(token)
    if subscription is None:
        return render(request, "community/link_invalid.html", status=400)
    return render(request, "community/confirmed.html", {"subscription": subscription})


@access.public
@csrf_exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" without a CSRF token
def unsubscribe(request, token):
    """GET asks for confirmation (link scanners must not unsubscribe anyone); POST unsubscribes."""
    if request.method == "POST":
        subscription = mail.unsubscribe(token)
        if subscription is None:
            return render(request, "community/link_invalid.html", status=400)
        return render(request, "community/unsubscribed.html", {"subscription": subscription})
    return render(request, "community/unsubscribe.html", {"token": token})


@access.team
def newsletters(request, slug):
    form = NewsletterForm(request.POST or None, process=request.process)
    if request.method == "POST" and form.is_valid():
        newsletter = form.save(commit=False)
        newsletter.process = request.process
        newsletter.save()
        mail.send_newsletter_task.enqueue(newsletter.pk)
        messages.success(request, _("Lettre mise en file d'envoi."))
        return redirect("community:newsletters", slug=slug)
    items = Newsletter.objects.filter(process=request.process).annotate(n=Count("deliveries"))
    from .models import Subscription

    active = Subscription.objects.filter(process=request.process, confirmed__isnull=False, unsubscribed__isnull=True).count()
    return render(request, "community/newsletters.html", {"process": request.process, "form": form, "newsletters": items,
                                                          "active": active}, status=400 if form.errors else 200)


# --- ambassadors --------------------------------------------------------------------------------


@access.public
def wall(request, slug):
    process = request.process
    stories = Story.objects.filter(ambassador__process=process, status=Story.Status.PUBLISHED).select_related("ambassador__commune")
    ambassadors = Ambassador.objects.filter(process=process, status=Ambassador.Status.APPROVED)
    by_kind = [(label, ambassadors.filter(kind=code).count()) for code, label in Ambassador.Kind.choices]
    zones = []
    for zone in process.subterritories.order_by("name"):
        zones.append((zone, ambassadors.filter(commune__memberships__group=zone).count()))
    return render(request, "community/wall.html", {
        "process": process, "stories": stories, "by_kind": by_kind, "by_zone": zones, "total": ambassadors.count(),
        "simulated": ambassadors.filter(simulated=True).exists(),
    })


@access.participant
def ambassador_signup(request, slug):
    process = request.process
    existing = Ambassador.objects.filter(process=process, user=request.user).first()
    if existing:
        return redirect("community:story_new", slug=slug)
    form = AmbassadorForm(request.POST or None, process=process)
    if request.method == "POST" and form.is_valid():
        ambassador = form.save(commit=False)
        ambassador.process, ambassador.user = process, request.user
        ambassador.save()
        services.record_consents(request.user, {"publish": True}, source="inscription ambassadeur")
        messages.success(request, _("Merci ! Votre candidature d'ambassadeur sera validée par l'équipe. Vous pouvez déjà proposer un récit."))
        return redirect("community:story_new", slug=slug)
    return render(request, "community/ambassador_signup.html", {"process": process, "form": form}, status=400 if form.errors else 200)


@access.participant
def story_new(request, slug):
    process = request.process
    ambassador = Ambassador.objects.filter(process=process, user=request.user).first()
    if ambassador is None:
        return redirect("community:ambassador_signup", slug=slug)
    form = StoryForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        story = form.save(commit=False)
        story.ambassador = ambassador
        story.save()
        messages.success(request, _("Merci ! Votre récit sera publié après relecture par l'équipe."))
        return redirect("community:wall", slug=slug)
    mine = ambassador.stories.all()
    return render(request, "community/story_new.html", {"process": process, "form": form, "ambassador": ambassador, "mine": mine},
                  status=400 if form.errors else 200)


@access.public
def story_photo(request, slug, story):
    """A published story's photo; served here (not from MEDIA_URL) so unpublished photos stay private."""
    item = get_object_or_404(Story, ambassador__process=request.process, pk=story, status=Story.Status.PUBLISHED)
    if not item.photo:
        raise Http404
    head = item.photo.open("rb").read(16)
    item.photo.seek(0)
    content_type = next((t for sig, t in services.PHOTO_SIGNATURES.items() if head.startswith(sig)), "application/octet-stream")
    return FileResponse(item.photo.open("rb"), content_type=content_type)


@access.public
def brand_kit(request, slug):
    kit = BrandKit.objects.filter(process=request.process).first()
    return render(request, "community/brand_kit.html", {"process": request.process, "kit": kit})


@access.team
def moderation(request, slug):
    process = request.process
    if request.method == "POST":
        if "ambassador" in request.POST:
            ambassador = get_object_or_404(Ambassador, process=process, pk=request.POST.get("ambassador"))
            ambassador.status = Ambassador.Status.APPROVED if request.POST.get("decision") == "approve" else Ambassador.Status.REJECTED
            ambassador.save(update_fields=["status"])
        else:
            form = StoryModerationForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Décision incomplète."))
                return redirect("community:moderation", slug=slug)
            story = get_object_or_404(Story, ambassador__process=process, pk=form.cleaned_data["story"])
            services.moderate_story(story, publish=form.cleaned_data["decision"] == "publish", user=request.user,
                                    reason=form.cleaned_data["reason"])
        messages.success(request, _("Décision enregistrée."))
        return redirect("community:moderation", slug=slug)
    return render(request, "community/moderation.html", {
        "process": process,
        "ambassadors": Ambassador.objects.filter(process=process, status=Ambassador.Status.PENDING).select_related("commune"),
        "stories": Story.objects.filter(ambassador__process=process, status=Story.Status.PENDING).select_related("ambassador"),
    })


# --- team: dashboard and directory --------------------------------------------------------------


@access.team
def dashboard(request, slug):
    process = request.process
    result = engagement.reach(process)
    labels = dict(Category.choices)
    channels = [(label, result.by_channel[code]) for code, label in Channel.choices]
    categories = [(labels.get(code, _("Non renseignée")), n) for code, n in result.by_category.items()]
    targets = [(labels.get(code, _("Toutes catégories")) if code != "all" else _("Toutes catégories"), t) for code, t in result.targets.items()]
    zone_rows = {code: row for code, row in result.by_subterritory.items() if code != engagement.UNKNOWN}
    return render(request, "community/dashboard.html", {
        "process": process, "reach": result, "channels": channels, "categories": categories, "targets": targets,
        "map": reach_map(process, zone_rows), "unknown_zone": result.by_subterritory[engagement.UNKNOWN]["people"],
        "simulated": process.is_demo,
    })


def _attach_areas(process, organisations) -> None:
    """Set ``epci`` and ``zone`` on each organisation from its commune (two queries in all)."""
    communes = {o.commune_id for o in organisations if o.commune_id}
    epci, zone = {}, {}
    zones = set(process.subterritories.values_list("pk", flat=True))
    for link in Membership.objects.filter(commune_id__in=communes).select_related("group"):
        if link.group.level == Level.EPCI:
            epci[link.commune_id] = link.group
        elif link.group_id in zones:
            zone[link.commune_id] = link.group
    for organisation in organisations:
        organisation.epci = epci.get(organisation.commune_id)
        organisation.zone = zone.get(organisation.commune_id)


@access.team
def stakeholders(request, slug):
    process = request.process
    form = ImportForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / (Path(upload.name).name or f"import{suffix}")
            path.write_bytes(upload.read())
            try:
                report = services.import_stakeholders(process, path)
            except FormatError as exc:
                problems = [str(p) for p in exc.problems] or [str(exc)]
            else:
                messages.success(request, _("Import réussi : %(o)s organisation(s), %(c)s contact(s).") % {
                    "o": report.organisations, "c": report.contacts})
                return redirect("community:stakeholders", slug=slug)
    organisations = list(Organisation.objects.filter(process=process).select_related("sector", "commune")[:200])
    _attach_areas(process, organisations)
    return render(request, "community/stakeholders.html", {
        "process": process, "form": form, "problems": problems,
        "organisations": organisations,
        "contacts": Contact.objects.filter(process=process).select_related("organisation", "commune")[:200],
        "n_organisations": Organisation.objects.filter(process=process).count(),
        "n_contacts": Contact.objects.filter(process=process).count(),
        "duplicates": services.directory_duplicates(process)[:50],
    }, status=400 if problems or form.errors else 200)
