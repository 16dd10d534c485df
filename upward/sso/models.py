"""An organisation's identity provider: where its people sign in (docs/integrations.md)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from upward.core.fields import EncryptedCharField
from upward.organisations.models import Organisation, OrganisationDomain


class Protocol(models.TextChoices):
    OIDC = "oidc", _("OpenID Connect")
    SAML = "saml", _("SAML 2.0")


class IdentityProvider(models.Model):
    """One per organisation. Its people whose address is in one of `domains` sign in through it.

    The provider is trusted to vouch for an address only in those domains, and each of them must
    be a domain the deployment operator confirmed the organisation owns (OrganisationDomain):
    an organisation's provider can never sign anyone into another organisation.
    """

    encryption_organisation = "organisation_id"

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="identity_provider"
    )
    protocol = models.CharField(max_length=8, choices=Protocol.choices, default=Protocol.OIDC)
    display_name = models.CharField(
        _("name on the sign-in button"),
        max_length=80,
        help_text=_("What your people see, e.g. “Acme single sign-on” or “Microsoft”."),
    )
    enabled = models.BooleanField(
        default=False,
        help_text=_("While off, nobody is sent to this provider and passwords work as before."),
    )
    # OpenID Connect
    server_url = models.URLField(
        _("issuer URL"),
        max_length=500,
        blank=True,
        help_text=_(
            "The provider's issuer; its /.well-known/openid-configuration must be reachable."
        ),
    )
    client_id = models.CharField(_("client ID"), max_length=255, blank=True)
    client_secret = EncryptedCharField(_("client secret"), max_length=500, blank=True)
    # SAML 2.0
    saml_entity_id = models.CharField(_("identity provider entity ID"), max_length=500, blank=True)
    saml_sso_url = models.URLField(_("single sign-on URL"), max_length=500, blank=True)
    saml_slo_url = models.URLField(_("single logout URL"), max_length=500, blank=True)
    saml_x509cert = models.TextField(_("signing certificate"), blank=True)
    saml_metadata_url = models.URLField(_("metadata URL"), max_length=500, blank=True)

    domains = models.ManyToManyField(
        OrganisationDomain,
        blank=True,
        related_name="identity_providers",
        help_text=_("Addresses in these domains sign in through this provider."),
    )
    sso_only = models.BooleanField(
        _("single sign-on only"),
        default=False,
        help_text=_(
            "Passwords, password resets and sign-ups are turned off for your people. Your "
            "organisation's Upward admins keep their password and two-factor authentication "
            "as the way back in if the provider fails."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("identity provider")

    def __str__(self) -> str:
        return self.display_name

    @property
    def provider_id(self) -> str:
        """allauth's name for this provider: its URLs and SocialAccount rows carry it."""
        return provider_id_for(self.organisation.slug)

    def domain_names(self) -> list[str]:
        return sorted(d.domain for d in self.domains.all())


PROVIDER_PREFIX = "org-"


def provider_id_for(slug: str) -> str:
    return f"{PROVIDER_PREFIX}{slug}"


def slug_from_provider_id(provider_id: str) -> str | None:
    if provider_id.startswith(PROVIDER_PREFIX):
        return provider_id[len(PROVIDER_PREFIX) :]
    return None


class ProviderSession(models.Model):
    """An Upward session signed in through an OpenID Connect provider: what the provider's
    back-channel logout names (its `sid`, or the person's `sub`) and the session to end."""

    identity_provider = models.ForeignKey(
        IdentityProvider, on_delete=models.CASCADE, related_name="sessions"
    )
    session_key = models.CharField(max_length=64, unique=True)
    sub = models.CharField(max_length=255)
    sid = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["identity_provider", "sub"]),
            models.Index(fields=["identity_provider", "sid"]),
        ]

    def __str__(self) -> str:
        return f"{self.identity_provider_id}: {self.sub}"
