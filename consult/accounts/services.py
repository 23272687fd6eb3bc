"""Every write to accounts and roles."""

import hashlib
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consult.accounts import rules
from consult.accounts.audit import audit_record
from consult.accounts.forms import check_display_name_free, clean_display_name
from consult.accounts.models import (
    Department,
    Jurisdiction,
    Membership,
    Role,
    TreeNode,
    User,
    UserSession,
)
from consult.accounts.signals import display_name_changed
from consult.infra import live, ratelimit
from consult.infra.names import comparable

NOT_STAFF = "Only staff admins can change departments and roles."
SIGN_IN = _("Sign in to change your display name.")
PROFILE_SIGN_IN = _("Sign in to choose whether your profile is public.")
# A few renames a day, one rate (consult.infra.ratelimit's table says why).
(RENAMES,) = [ratelimit.Rate.parse(rate) for rate in ratelimit.rates("display_name")["user"]]
# The domain of a deleted account's address: it can never receive mail.
PLACEHOLDER_DOMAIN = "deleted.invalid"
CYCLE = "A department cannot be placed below itself or one of its own departments."


def _require_staff(actor: User | None) -> None:
    # actor=None is the system itself (seeding, migrations, imports).
    if actor is not None and not rules.is_staff_admin(actor):
        raise PermissionDenied(NOT_STAFF)


def _place(node: TreeNode) -> None:
    parent_path = node.parent.path if node.parent else ""
    node.path = f"{parent_path}{node.pk}/"
    node.depth = parent_path.count("/")
    type(node).objects.filter(pk=node.pk).update(path=node.path, depth=node.depth)


@transaction.atomic
def jurisdiction_create(
    *,
    actor: User | None,
    name: str,
    slug: str,
    level: str,
    parent: Jurisdiction | None = None,
) -> Jurisdiction:
    _require_staff(actor)
    jurisdiction = Jurisdiction(name=name, slug=slug, level=level, parent=parent)
    jurisdiction.full_clean(exclude=["path", "depth"])
    jurisdiction.save()
    _place(jurisdiction)
    return jurisdiction


@transaction.atomic
def department_create(
    *,
    actor: User | None,
    name: str,
    slug: str,
    jurisdiction: Jurisdiction,
    parent: Department | None = None,
) -> Department:
    _require_staff(actor)
    department = Department(name=name, slug=slug, jurisdiction=jurisdiction, parent=parent)
    department.full_clean(exclude=["path", "depth"])
    department.save()
    _place(department)
    return department


@transaction.atomic
def department_move(
    *, actor: User | None, department: Department, parent: Department | None
) -> Department:
    """Re-parent a department and carry its whole subtree along."""
    _require_staff(actor)
    department = Department.objects.select_for_update().get(pk=department.pk)
    if parent is not None and department.is_at_or_above(parent):
        raise ValidationError({"parent": CYCLE})
    old_prefix = department.path
    department.parent = parent
    department.save(update_fields=["parent"])
    _place(department)
    for node in Department.objects.filter(path__startswith=old_prefix).exclude(pk=department.pk):
        node.path = department.path + node.path.removeprefix(old_prefix)
        node.depth = node.path.count("/") - 1
        node.save(update_fields=["path", "depth"])
    return department


@transaction.atomic
def user_set_active(*, actor: User | None, user: User, active: bool, reason: str = "") -> User:
    """Suspend (or restore) an account. A suspended person's open sockets close
    at once; every service re-checks `is_active` on the next action anyway."""
    _require_staff(actor)
    if user.is_active == active:
        return user
    User.objects.filter(pk=user.pk).update(is_active=active)
    user.is_active = active
    audit_record(
        actor=actor,
        action="user.restored" if active else "user.suspended",
        target=user,
        before={"is_active": not active},
        after={"is_active": active},
        reason=reason,
    )
    if not active:
        live.user_sockets_close(user_id=user.pk)
    return user


@transaction.atomic
def membership_grant(
    *, actor: User | None, user: User, department: Department, role: Role | str
) -> Membership:
    """Give a person a role in a department (and so in every one below it).
    Granting a role already held changes nothing. A grant by a person is on
    the audit log; actor None is the system itself (seeding, imports)."""
    _require_staff(actor)
    membership, created = Membership.objects.get_or_create(
        user=user, department=department, role=Role(role), defaults={"granted_by": actor}
    )
    if created and actor is not None:
        audit_record(
            actor=actor,
            action="membership.granted",
            target=user,
            department=department,
            after={"role": membership.role},
        )
    return membership


@transaction.atomic
def membership_revoke(
    *, actor: User | None, user: User, department: Department, role: Role | str
) -> int:
    """Take a role away; audited as a grant is. Returns how many were removed (0 or 1)."""
    _require_staff(actor)
    deleted, _ = Membership.objects.filter(
        user=user, department=department, role=Role(role)
    ).delete()
    if deleted and actor is not None:
        audit_record(
            actor=actor,
            action="membership.revoked",
            target=user,
            department=department,
            before={"role": Role(role).value},
        )
    return deleted


def sessions_end_all(*, user: User, keep_session_key: str | None = None) -> int:
    """Sign a person out everywhere: delete every stored session of theirs
    (one query, see consult.accounts.session_store), but the one named by
    `keep_session_key` if any, and close their open sockets after commit
    (those of the kept session too: its pages reconnect, still signed in).
    Returns how many sessions ended."""
    sessions = UserSession.objects.filter(user_id=user.pk)
    if keep_session_key:
        sessions = sessions.exclude(session_key=keep_session_key)
    ended, _ = sessions.delete()
    live.user_sockets_close(user_id=user.pk)
    return ended


def account_anonymise(*, user: User) -> int:
    """The last step of deleting an account (consult.privacy.services.erasure):
    the row stays, so that the person's contributions do, but nothing on it
    names or reaches them, and nobody can sign in to it. Every session of
    theirs ends. Returns how many sessions ended."""
    user.display_name = ""
    user.email = f"deleted-{user.pk}-{secrets.token_hex(8)}@{PLACEHOLDER_DOMAIN}"
    user.set_unusable_password()
    user.is_active = False
    user.home_jurisdiction = None
    user.last_login = None
    user.deleted_at = timezone.now()
    user.save(
        update_fields=[
            "display_name",
            "email",
            "password",
            "is_active",
            "home_jurisdiction",
            "last_login",
            "deleted_at",
        ]
    )
    return sessions_end_all(user=user)


def _name_lock(name: str) -> None:
    """Two people taking "Ada" and "ADA" at once must not both get it: on
    PostgreSQL they take turns on a lock for the compared form, held to the
    end of the transaction. (SQLite runs one writing transaction at a time.)"""
    if connection.vendor != "postgresql":
        return
    digest = hashlib.blake2b(comparable(name).encode(), digest_size=8).digest()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(digest, "big", signed=True)]
        )


@transaction.atomic
def display_name_change(*, actor: User, name: str) -> User:
    """A person renames themself. The name is refused (ValidationError, with
    the reason) when blank, too long, hiding characters, passing for a role or
    another person's current name; nothing is written then. Their comments
    show the new name everywhere, the live event log included (redrawn in
    the background through the display_name_changed signal)."""
    if not rules.is_citizen(actor):
        raise PermissionDenied(SIGN_IN)
    name = clean_display_name(name)
    # Locked: two renames at once are taken in turn, each audited against the last.
    user = User.objects.select_for_update().get(pk=actor.pk)
    if not user.is_active or user.deleted_at is not None:
        raise PermissionDenied(SIGN_IN)
    # A suspended or banned person takes no part, and a new name is a new face.
    rules.ensure_not_sanctioned(user)
    if name == user.display_name:
        return user
    _name_lock(name)
    check_display_name_free(name, user=user)
    ratelimit.hit("display_name", [(f"user:{user.pk}", RENAMES)])
    before = user.display_name
    user.display_name = name
    user.save(update_fields=["display_name"])
    actor.display_name, actor.display_name_key = user.display_name, user.display_name_key
    audit_record(
        actor=user,
        action="user.display_name",
        target=user,
        before={"display_name": before},
        after={"display_name": name},
    )
    user_id = user.pk
    transaction.on_commit(lambda: display_name_changed.send(sender=User, user_id=user_id))
    return user


@transaction.atomic
def profile_visibility_set(*, actor: User, public: bool) -> User:
    """A person turns their public profile on or off (off unless they chose
    it). Audited, so that staff can tell when a page of theirs was public."""
    if not rules.is_citizen(actor):
        raise PermissionDenied(PROFILE_SIGN_IN)
    user = User.objects.select_for_update().get(pk=actor.pk)
    if not user.is_active or user.deleted_at is not None:
        raise PermissionDenied(PROFILE_SIGN_IN)
    if user.profile_public == public:
        return user
    user.profile_public = public
    user.save(update_fields=["profile_public"])
    actor.profile_public = public
    audit_record(
        actor=user,
        action="user.profile_public",
        target=user,
        before={"profile_public": not public},
        after={"profile_public": public},
    )
    return user
