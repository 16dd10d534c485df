from __future__ import annotations

import secrets
from typing import ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """An account. Signs in by email. Directory data lives on organisations.Person."""

    email = models.EmailField(unique=True)
    name = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May use the Django admin site.")
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.name or self.email

    def get_full_name(self) -> str:
        return self.name or self.email

    def get_short_name(self) -> str:
        return (self.name or self.email).split(" ")[0]


def _token() -> str:
    return secrets.token_urlsafe(32)


class AccountInvitation(models.Model):
    """An admin's invitation for a directory person to create their Upward account.

    The link proves only that its holder reads mail at `email`, the address it was sent to, so
    it is valid only while the person still has that address (changing it revokes the link).
    """

    person = models.ForeignKey(
        "organisations.Person", on_delete=models.CASCADE, related_name="account_invitations"
    )
    email = models.EmailField()
    token = models.CharField(max_length=64, unique=True, default=_token)
    invited_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(email=""), name="invitation_email_set"),
        ]

    def __str__(self) -> str:
        return f"Invitation for {self.person_id}"

    @property
    def is_usable(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )


class TokenKind(models.TextChoices):
    PERSONAL = "personal", "Personal"
    SERVICE = "service", "Organisation service"


class TokenScope(models.TextChoices):
    """What an API token may do. A token never does more than its holder could do on the pages:
    the scope narrows, the access rules still apply (docs/integrations.md)."""

    PEOPLE_READ = "people:read", "Read the people directory and the organisation's structure"
    PEOPLE_WRITE = "people:write", "Create and update people and the organisation's structure"
    PROGRAMMES_READ = (
        "programmes:read",
        ("Read programmes, applications, participants, pairings and meetings"),
    )
    PROGRAMMES_WRITE = "programmes:write", "Change programmes, applications and meetings"
    ME_READ = "me:read", "Read your own goals, tasks and meetings"
    ME_WRITE = "me:write", "Change your own goals and tasks"
    REPORTS_READ = "reports:read", "Read survey results and report figures (never individuals)"
    SCIM = "scim", "Provision people through SCIM 2.0 (organisation service tokens only)"


class ApiToken(models.Model):
    """A bearer token for the REST API or SCIM. Only a SHA-256 hash of the secret is stored; the
    secret is shown once, when the token is made (upward.accounts.tokens).

    A personal token acts as its user, within its scopes. An organisation service token acts
    for its organisation (made by an org admin, or `manage.py api_token`), within its scopes.
    """

    Kind = TokenKind
    Scope = TokenScope

    kind = models.CharField(max_length=10, choices=TokenKind.choices)
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="api_tokens"
    )
    # The holder of a personal token; empty for a service token.
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    # The first characters of the secret, shown in lists so people can tell tokens apart.
    prefix = models.CharField(max_length=16)
    secret_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=TokenKind.values), name="api_token_kind_valid"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(kind=TokenKind.PERSONAL, user__isnull=False)
                    | models.Q(kind=TokenKind.SERVICE, user__isnull=True)
                ),
                name="api_token_holder_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and (
            self.expires_at is None or self.expires_at > timezone.now()
        )

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes
