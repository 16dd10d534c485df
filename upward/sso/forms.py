from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from upward.core.forms import Form, ModelForm
from upward.core.outbound import check_outbound_url
from upward.organisations.models import Organisation, OrganisationDomain
from upward.sso import saml
from upward.sso.models import IdentityProvider, Protocol


def _url_field(name: str) -> forms.URLField:
    model_field = IdentityProvider._meta.get_field(name)
    assert isinstance(model_field, models.Field)
    label = str(model_field.verbose_name)
    return forms.URLField(
        label=label[:1].upper() + label[1:],
        help_text=model_field.help_text,
        required=False,
        max_length=500,
        assume_scheme="https",
    )


class IdentityProviderForm(ModelForm):
    server_url = _url_field("server_url")
    saml_metadata_url = _url_field("saml_metadata_url")
    saml_sso_url = _url_field("saml_sso_url")
    saml_slo_url = _url_field("saml_slo_url")
    client_secret = forms.CharField(
        label=gettext_lazy("Client secret"),
        required=False,
        max_length=500,
        strip=True,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}, render_value=False),
    )
    domains = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Email domains it serves"),
        queryset=OrganisationDomain.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "People whose address is in a ticked domain are sent to this provider. Only your "
            "organisation's confirmed domains are offered."
        ),
    )

    class Meta:
        model = IdentityProvider
        fields = [
            "protocol",
            "display_name",
            "server_url",
            "client_id",
            "client_secret",
            "saml_entity_id",
            "saml_metadata_url",
            "saml_sso_url",
            "saml_slo_url",
            "saml_x509cert",
            "domains",
            "sso_only",
            "enabled",
        ]
        widgets = {"saml_x509cert": forms.Textarea(attrs={"rows": 6})}
        labels = {
            "protocol": gettext_lazy("Protocol"),
            "enabled": gettext_lazy("On: send people of these domains to this provider"),
        }

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        domains = self.fields["domains"]
        assert isinstance(domains, forms.ModelMultipleChoiceField)
        domains.queryset = OrganisationDomain.objects.filter(organisation=organisation)
        self.has_secret = bool(self.instance.pk and self.instance.client_secret)
        self.fields["client_secret"].help_text = (
            _("Stored encrypted and never shown again. Leave blank to keep the current one.")
            if self.has_secret
            else _("Stored encrypted and never shown again.")
        )
        self.fields["saml_x509cert"].help_text = _(
            "The provider's signing certificate (Base64, with or without the BEGIN/END lines). "
            "Not needed when you give the metadata URL."
        )

    def clean_server_url(self) -> str:
        return self._outbound("server_url")

    def clean_saml_metadata_url(self) -> str:
        return self._outbound("saml_metadata_url")

    def _outbound(self, name: str) -> str:
        value = str(self.cleaned_data.get(name) or "").strip()
        # Upward fetches these addresses itself: never one inside the deployment's network.
        return check_outbound_url(value) if value else ""

    def clean_saml_x509cert(self) -> str:
        value = str(self.cleaned_data.get("saml_x509cert") or "")
        lines = [
            line.strip()
            for line in value.strip().splitlines()
            if line.strip() and not line.strip().startswith("-----")
        ]
        body = "".join(lines)
        if body and not all(c.isalnum() or c in "+/=" for c in body):
            raise ValidationError(
                _("This does not look like a certificate: paste the Base64 text only.")
            )
        return body

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        protocol = cleaned.get("protocol")
        if protocol == Protocol.OIDC:
            for name, message in (
                ("server_url", _("Enter the provider's issuer URL.")),
                ("client_id", _("Enter the client ID the provider gave you.")),
            ):
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(name, message)
            if not cleaned.get("client_secret") and not self.has_secret:
                self.add_error("client_secret", _("Enter the client secret the provider gave you."))
        elif protocol == Protocol.SAML:
            if not cleaned.get("saml_entity_id"):
                self.add_error("saml_entity_id", _("Enter the provider's entity ID (issuer)."))
            metadata_url = cleaned.get("saml_metadata_url")
            if metadata_url and not (cleaned.get("saml_sso_url") and cleaned.get("saml_x509cert")):
                # Read it now, so a wrong address is an error here and not at the next sign-in.
                try:
                    saml.read_metadata(
                        metadata_url, entity_id=cleaned.get("saml_entity_id") or "", fresh=True
                    )
                except ValidationError as error:
                    self.add_error("saml_metadata_url", error)
            if not cleaned.get("saml_metadata_url") and "saml_metadata_url" not in self.errors:
                if not cleaned.get("saml_sso_url") and "saml_sso_url" not in self.errors:
                    self.add_error(
                        "saml_sso_url",
                        _("Enter the single sign-on URL, or the metadata URL instead."),
                    )
                if not cleaned.get("saml_x509cert") and "saml_x509cert" not in self.errors:
                    self.add_error(
                        "saml_x509cert",
                        _("Paste the signing certificate, or give the metadata URL instead."),
                    )
        if cleaned.get("enabled") and not cleaned.get("domains"):
            self.add_error(
                "domains",
                _("Tick at least one domain: without one, nobody is sent to the provider."),
            )
        if cleaned.get("sso_only") and not cleaned.get("enabled"):
            self.add_error(
                "sso_only",
                _("Turn the provider on as well: single sign-on only needs a working provider."),
            )
        return cleaned

    def save(self, commit: bool = True) -> IdentityProvider:
        idp: IdentityProvider = super().save(commit=False)
        idp.organisation = self.organisation
        secret = self.cleaned_data.get("client_secret") or ""
        if not secret and self.has_secret:
            idp.client_secret = IdentityProvider.objects.get(pk=idp.pk).client_secret
        if commit:
            idp.save()
            self.save_m2m()
        return idp


class EmailStepForm(Form):
    login = forms.EmailField(max_length=254)
