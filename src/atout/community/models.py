"""The community of a process: stakeholders, participant accounts, engagement, events, e-mail, ambassadors.

Personal data is kept only with a recorded consent (:class:`ConsentRecord`, append-only: the latest
record of a purpose says whether it is granted). One-time sign-in links are stored as SHA-256 hashes
only; newsletter confirmation, unsubscribe and registration links are signed (``django.core.signing``)
and need no storage.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from atout.processes.models import Process
from atout.territories.models import Territory


def token_hash(token: str) -> str:
    """SHA-256 of a secret token: a database leak gives no usable link."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Category(models.TextChoices):
    """Who a person is for the process; the same list for contacts, accounts and targets."""

    ELECTED = "elected", _("Élu·e")
    CITIZEN = "citizen", _("Habitant·e")
    BUSINESS = "business", _("Chef·fe d'entreprise")
    EXPERT = "expert", _("Expert·e")
    ATHLETE = "athlete", _("Sportif·ve")
    ASSOCIATION = "association", _("Association")
    HEALTH = "health", _("Professionnel·le de santé")
    YOUNG = "young", _("Jeune")
    OTHER = "other", _("Autre")


class Channel(models.TextChoices):
    SURVEY = "survey", _("Enquête")
    WORKSHOP = "workshop", _("Atelier")
    VOTE = "vote", _("Vote")
    STATEMENT = "statement", _("Affirmation")
    PROPOSAL = "proposal", _("Proposition")
    STORY = "story", _("Récit d'ambassadeur")
    EVENT = "event", _("Participation à une réunion")


class Purpose(models.TextChoices):
    NEWSLETTER = "newsletter", _("Lettre d'information")
    INVITATIONS = "invitations", _("Invitations aux réunions et ateliers")
    RESEARCH = "research", _("Contact pour des études")
    DIRECTORY = "directory", _("Annuaire des acteurs")
    PUBLISH = "publish", _("Publication de mon témoignage")


# --- stakeholder directory ----------------------------------------------------------------------


class Sector(models.Model):
    """A sector of activity; the list is configurable in the back office (seeded by a migration)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("nom"), max_length=120)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("secteur")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class Organisation(models.Model):
    class Kind(models.TextChoices):
        COMPANY = "company", _("Entreprise")
        ASSOCIATION = "association", _("Association")
        INSTITUTION = "institution", _("Institution")
        SCHOOL = "school", _("École ou université")
        SPORTS_CLUB = "sports_club", _("Club sportif")
        HEALTH = "health", _("Établissement de santé")
        MEDIA = "media", _("Média")

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="organisations")
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    sector = models.ForeignKey(Sector, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("secteur"))
    commune = models.ForeignKey(Territory, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("commune"))
    simulated = models.BooleanField(_("données simulées"), default=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Contact(models.Model):
    """A person of the directory; created only together with a :class:`ConsentRecord`."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="contacts")
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts")
    first_name = models.CharField(_("prénom"), max_length=100, blank=True)
    last_name = models.CharField(_("nom"), max_length=100, blank=True)
    email = models.EmailField(_("courriel"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=40, blank=True)
    category = models.CharField(_("catégorie"), max_length=16, choices=Category.choices)
    commune = models.ForeignKey(Territory, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("commune"))
    #: The participant account of the same person, when known: they are then counted once.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts")
    simulated = models.BooleanField(_("données simulées"), default=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("contact")
        ordering = ["last_name", "first_name"]
        indexes = [models.Index(fields=["process", "email"])]

    def __str__(self):
        return f"{self.first_name} {self.last_name}".strip()


class ConsentRecord(models.Model):
    """A consent given (or withdrawn) for one purpose: what was shown, when and how it was collected."""

    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="consents")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("finalité"), max_length=16, choices=Purpose.choices)
    granted = models.BooleanField(_("accordé"), default=True)
    date = models.DateField(_("date"))
    source = models.CharField(_("source"), max_length=200, help_text=_("Formulaire, courrier, import… : d'où vient le consentement."))
    text_version = models.CharField(_("version du texte"), max_length=40)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("consentement")
        ordering = ["-created", "-pk"]

    def __str__(self):
        return f"{self.purpose} {'+' if self.granted else '-'} {self.date}"


# --- participant accounts -----------------------------------------------------------------------


class Profile(models.Model):
    """The optional profile of a participant account (anonymous participation stays possible)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="community_profile")
    category = models.CharField(_("catégorie"), max_length=16, choices=Category.choices, default=Category.CITIZEN)
    commune = models.ForeignKey(Territory, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("commune"))
    simulated = models.BooleanField(_("données simulées"), default=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("profil de participant·e")

    def __str__(self):
        return f"profile of {self.user_id}"


class LoginToken(models.Model):
    """A one-time sign-in link sent by e-mail; only its hash is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="login_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    #: Hash of the password chosen at sign-up (Django's format): set on the account when this link, the
    #: welcome link, is used, so that the password works only once the address is confirmed.
    password = models.CharField(max_length=128, blank=True)
    expires = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"login link of {self.user_id}"


# --- engagement ---------------------------------------------------------------------------------


class EngagementEvent(models.Model):
    """A contribution recorded by this app (attendance, story, proposal, imported workshop…).

    Votes, statements and survey responses are read from their own tables by the statistics, so
    they are not copied here. A row without ``user`` and ``contact`` is an anonymous contribution.
    """

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="engagement_events")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="engagement_events")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="engagement_events")
    channel = models.CharField(_("canal"), max_length=16, choices=Channel.choices)
    subterritory = models.ForeignKey(Territory, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    date = models.DateTimeField(_("date"))
    source_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL)
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    simulated = models.BooleanField(_("données simulées"), default=False)

    class Meta:
        verbose_name = _("contribution")
        indexes = [models.Index(fields=["process", "channel"]), models.Index(fields=["source_type", "source_id"])]

    def __str__(self):
        return f"{self.channel} {self.date:%Y-%m-%d}"


class Target(models.Model):
    """How many distinct people of a category the process wants to reach (blank category: everyone)."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="engagement_targets")
    category = models.CharField(_("catégorie"), max_length=16, choices=Category.choices, blank=True)
    count = models.PositiveIntegerField(_("objectif (personnes)"))

    class Meta:
        verbose_name = _("objectif de participation")
        constraints = [models.UniqueConstraint(fields=["process", "category"], name="target_once_per_category")]

    def __str__(self):
        return f"{self.category or 'all'}: {self.count}"


# --- events -------------------------------------------------------------------------------------


class Event(models.Model):
    class Kind(models.TextChoices):
        MEETING = "meeting", _("Réunion publique")
        WORKSHOP = "workshop", _("Atelier")

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="community_events")
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices, default=Kind.MEETING)
    title = models.CharField(_("titre"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    start = models.DateTimeField(_("début"))
    end = models.DateTimeField(_("fin"))
    commune = models.ForeignKey(Territory, on_delete=models.PROTECT, related_name="+", verbose_name=_("commune"))
    venue = models.CharField(_("lieu"), max_length=200)
    capacity = models.PositiveIntegerField(_("places"))
    audience = models.CharField(_("public"), max_length=200, blank=True)
    published = models.BooleanField(_("publié"), default=True)
    #: The fieldwork app has no session model yet: the link to its notes is kept as a URL.
    fieldwork_notes = models.URLField(_("compte rendu (terrain)"), blank=True)
    simulated = models.BooleanField(_("données simulées"), default=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("événement")
        ordering = ["start"]
        constraints = [models.CheckConstraint(condition=models.Q(end__gte=models.F("start")), name="event_end_after_start")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("community:event", kwargs={"slug": self.process.slug, "event": self.pk})

    def confirmed_count(self) -> int:
        return self.registrations.filter(status=Registration.Status.CONFIRMED).count()


class Registration(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Inscrit·e")
        WAITING = "waiting", _("Liste d'attente")
        CANCELLED = "cancelled", _("Annulée")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="event_registrations")
    name = models.CharField(_("nom"), max_length=200)
    email = models.EmailField(_("courriel"))
    status = models.CharField(_("statut"), max_length=12, choices=Status.choices)
    attended = models.BooleanField(_("présent·e"), default=False)
    reminder_sent = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("inscription")
        ordering = ["created", "pk"]

    def __str__(self):
        return f"{self.name} → {self.event_id}"


# --- notifications and newsletters --------------------------------------------------------------


class Follow(models.Model):
    """A participant following a process: notified when a phase opens, a survey launches, results come out."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="followers")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "process"], name="follow_once")]

    def __str__(self):
        return f"{self.user_id} follows {self.process_id}"


class Notification(models.Model):
    """One notice sent to one address: the unique ``key`` makes ``atout notify`` idempotent."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="notifications")
    email = models.EmailField()
    key = models.CharField(max_length=120)
    sent = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["email", "key"], name="notification_once")]

    def __str__(self):
        return f"{self.key} → {self.email}"


class Subscription(models.Model):
    """A newsletter subscription: active once confirmed (double opt-in) and until unsubscribed."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="subscriptions")
    email = models.EmailField(_("courriel"))
    category = models.CharField(_("catégorie"), max_length=16, choices=Category.choices, blank=True)
    commune = models.ForeignKey(Territory, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("commune"))
    created = models.DateTimeField(auto_now_add=True)
    confirmed = models.DateTimeField(null=True, blank=True)
    unsubscribed = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("abonnement")
        constraints = [models.UniqueConstraint(fields=["process", "email"], name="subscription_once")]

    def __str__(self):
        return self.email

    @property
    def active(self) -> bool:
        return self.confirmed is not None and self.unsubscribed is None


class Newsletter(models.Model):
    """A letter to a segment (category and/or sub-territory; blank: every active subscriber)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        SENDING = "sending", _("En cours d'envoi")
        SENT = "sent", _("Envoyée")

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="newsletters")
    subject = models.CharField(_("objet"), max_length=200)
    body = models.TextField(_("texte"))
    category = models.CharField(_("catégorie ciblée"), max_length=16, choices=Category.choices, blank=True)
    subterritory = models.ForeignKey(Territory, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("sous-territoire ciblé"))
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created = models.DateTimeField(auto_now_add=True)
    sent = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("lettre d'information")
        ordering = ["-created"]

    def __str__(self):
        return self.subject


class Delivery(models.Model):
    newsletter = models.ForeignKey(Newsletter, on_delete=models.CASCADE, related_name="deliveries")
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries")
    sent = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["newsletter", "subscription"], name="delivery_once")]

    def __str__(self):
        return f"{self.newsletter_id} → {self.subscription_id}"


class Bounce(models.Model):
    """An address the mail server reported as undeliverable; hard bounces are no longer written to."""

    email = models.EmailField(_("courriel"), db_index=True)
    kind = models.CharField(_("type"), max_length=8, choices=[("hard", _("Définitif")), ("soft", _("Temporaire"))], default="hard")
    reason = models.CharField(_("motif"), max_length=300, blank=True)
    date = models.DateTimeField(_("date"), auto_now_add=True)

    class Meta:
        verbose_name = _("retour en erreur")

    def __str__(self):
        return f"{self.email} ({self.kind})"


# --- ambassadors --------------------------------------------------------------------------------


class Ambassador(models.Model):
    class Kind(models.TextChoices):
        RESIDENT = "resident", _("Habitant·e")
        BUSINESS = "business", _("Chef·fe d'entreprise")
        ATHLETE = "athlete", _("Sportif·ve")
        ASSOCIATION = "association", _("Association")

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente de validation")
        APPROVED = "approved", _("Validé·e")
        REJECTED = "rejected", _("Refusé·e")

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="ambassadors")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="ambassadorships")
    display_name = models.CharField(_("nom affiché"), max_length=100)
    kind = models.CharField(_("vous êtes"), max_length=16, choices=Kind.choices)
    commune = models.ForeignKey(Territory, on_delete=models.PROTECT, related_name="+", verbose_name=_("commune"))
    motto = models.CharField(_("pourquoi j'aime ce territoire (une phrase)"), max_length=200, blank=True)
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.PENDING)
    simulated = models.BooleanField(_("données simulées"), default=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ambassadeur·rice")
        constraints = [models.UniqueConstraint(fields=["process", "user"], name="ambassador_once")]

    def __str__(self):
        return self.display_name


class Story(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("En attente de modération")
        PUBLISHED = "published", _("Publié")
        REJECTED = "rejected", _("Écarté")

    ambassador = models.ForeignKey(Ambassador, on_delete=models.CASCADE, related_name="stories")
    title = models.CharField(_("titre"), max_length=150)
    text = models.TextField(_("récit"), max_length=3000)
    photo = models.FileField(_("photo"), upload_to="community/stories/", blank=True)
    consent_publish = models.BooleanField(_("j'accepte la publication de ce récit et de cette photo"), default=False)
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.PENDING)
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    moderation_reason = models.CharField(_("motif"), max_length=300, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("récit d'ambassadeur")
        ordering = ["-created"]

    def __str__(self):
        return self.title


class BrandKit(models.Model):
    """The brand kit shown to ambassadors (the strategy app has no brand platform yet)."""

    process = models.OneToOneField(Process, on_delete=models.CASCADE, related_name="brand_kit")
    tagline = models.CharField(_("signature"), max_length=200)
    key_messages = models.TextField(_("messages clés (un par ligne)"))
    proof_points = models.TextField(_("preuves (une par ligne)"), blank=True)
    logo = models.FileField(_("logo"), upload_to="community/brand/", blank=True)
    colours = models.CharField(_("couleurs (codes hexadécimaux séparés par des virgules)"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("kit de marque")

    def __str__(self):
        return self.tagline

    def messages(self) -> list[str]:
        return [line.strip() for line in self.key_messages.splitlines() if line.strip()]

    def proofs(self) -> list[str]:
        return [line.strip() for line in self.proof_points.splitlines() if line.strip()]

    def colour_list(self) -> list[str]:
        return [c.strip() for c in self.colours.split(",") if c.strip()]
