from importlib import import_module

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.contrib.sessions.base_session import AbstractBaseSession
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from consult.infra.names import LABEL_CHARACTERS, comparable, is_clean

DISPLAY_NAME_MAX_LENGTH = 60
# What every contribution of a deleted account shows instead of its author's name.
DELETED_PARTICIPANT = _("deleted participant")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **fields) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields["is_staff"] = True
        fields["is_superuser"] = True
        return self._create_user(email, password, **fields)

    def get_by_natural_key(self, username: str) -> "User":
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Everyone signed in is a citizen; other roles come from Membership."""

    email = models.EmailField(_("email address"), unique=True)
    # Shown publicly next to every contribution; templates escape it like any text.
    display_name = models.CharField(_("display name"), max_length=DISPLAY_NAME_MAX_LENGTH)
    # The name as names are compared (consult.infra.names.comparable), kept by save():
    # "is this name someone else's?" is then one indexed query.
    display_name_key = models.TextField(editable=False, blank=True, default="", db_index=True)
    is_staff = models.BooleanField(_("staff admin"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # Set by moderators: a suspended or banned person still reads and signs
    # in, but takes no part (no comments, votes, stances or reports).
    suspended_until = models.DateTimeField(_("suspended until"), null=True, blank=True)
    banned_at = models.DateTimeField(_("banned at"), null=True, blank=True)
    sanction_reason = models.CharField(_("reason"), max_length=300, blank=True)
    # Declared by the person, optional: counts participation by place in the
    # consultation summary (only totals are ever shown).
    home_jurisdiction = models.ForeignKey(
        "accounts.Jurisdiction",
        verbose_name=_("where you live"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Set when the person deleted their account: it is anonymised (no name,
    # no reachable email, no way to sign in) and kept only so that their
    # contributions stay, shown as by a "deleted participant".
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    # The person's choice, off unless they turn it on: a page at /people/<id>/
    # listing what they wrote that anyone can already read.
    profile_public = models.BooleanField(_("public profile"), default=False)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        if self.deleted_at is not None:
            return f"{self.public_name} #{self.pk}"
        return self.display_name or self.email

    @property
    def public_name(self) -> str:
        """The name shown next to what the person wrote, in the reader's language."""
        if self.deleted_at is not None:
            return gettext(DELETED_PARTICIPANT)
        return self.display_name

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def sanctioned(self, now=None) -> bool:
        """Banned, or suspended until a time still to come."""
        now = now or timezone.now()
        return self.banned_at is not None or (
            self.suspended_until is not None and self.suspended_until > now
        )

    def clean(self) -> None:
        super().clean()
        # The one rule for names (consult.infra.names), for the admin's forms too.
        if self.display_name and not is_clean(self.display_name):
            raise ValidationError({"display_name": ValidationError(LABEL_CHARACTERS)})

    def save(self, *args, **kwargs) -> None:
        self.display_name_key = comparable(self.display_name or "")
        fields = kwargs.get("update_fields")
        if fields is not None and "display_name" in fields:
            kwargs["update_fields"] = {*fields, "display_name_key"}
        super().save(*args, **kwargs)

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name


class TreeNode(models.Model):
    """A node of a tree with a materialized path of ancestor ids ("1/4/9/").

    The path lets "is X at or above Y" be answered without a query, and "all
    below X" with one indexed prefix filter. It is written by the services in
    consult.accounts.services, never by hand.
    """

    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(editable=False, default=0)
    # The name in the site's other languages (consult.infra.translations).
    translations = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True

    def clean(self) -> None:
        # Places and departments are named under the same rule as people.
        name = getattr(self, "name", "")
        if name and not is_clean(name):
            raise ValidationError({"name": ValidationError(LABEL_CHARACTERS)})

    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to this node, itself included."""
        return [int(part) for part in self.path.split("/") if part]

    def is_at_or_above(self, other: "TreeNode") -> bool:
        return self.pk in other.ancestor_ids()


class Jurisdiction(TreeNode):
    """A place a policy applies to: national > province > city > district."""

    class Level(models.TextChoices):
        NATIONAL = "national", _("National")
        PROVINCE = "province", _("Province")
        CITY = "city", _("City")
        DISTRICT = "district", _("District")

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)

    class Meta:
        verbose_name = _("jurisdiction")
        verbose_name_plural = _("jurisdictions")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name


class Department(TreeNode):
    """A government department. Roles granted here also hold in every department below."""

    name = models.CharField(_("name"), max_length=160)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("jurisdiction"),
        on_delete=models.PROTECT,
        related_name="departments",
    )

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    MODERATOR = "moderator", _("Moderator")
    OFFICIAL = "official", _("Official")
    # Enters responses received by post, email, phone or at a meeting.
    CLERK = "clerk", _("Data entry clerk")


class Membership(models.Model):
    """A role held by a user in a department (and so in every department below it)."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    granted_by = models.ForeignKey(
        User,
        verbose_name=_("granted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "department", "role"], name="membership_unique_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.department}"


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("The audit log is append-only.")

    def delete(self):
        raise TypeError("The audit log is append-only.")


class AuditEntry(models.Model):
    """One action by an official, moderator or admin. Rows are never changed."""

    actor = models.ForeignKey(
        User, verbose_name=_("actor"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("action"), max_length=64, db_index=True)
    target_type = models.CharField(_("target type"), max_length=64)
    target_id = models.CharField(_("target id"), max_length=64)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    before = models.JSONField(_("before"), default=dict, blank=True)
    after = models.JSONField(_("after"), default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    # Where it happened, for the public log of one consultation ("proposal:12").
    scope = models.CharField(_("scope"), max_length=64, blank=True, db_index=True)
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_type}:{self.target_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The audit log is append-only.")


class UserSession(AbstractBaseSession):
    """A stored session that knows whose it is, so that every session of a
    person ends with one query (consult.accounts.session_store)."""

    # No foreign key constraint: a session is written at the end of a request
    # and must not fail because its account was removed meanwhile; the
    # sessions of a removed account still go with it (CASCADE in the ORM).
    user = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        db_constraint=False,
        related_name="+",
    )

    class Meta(AbstractBaseSession.Meta):
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    @classmethod
    def get_session_store_class(cls):
        # The configured engine (consult.accounts.session_store), which reads this model.
        return import_module(settings.SESSION_ENGINE).SessionStore
