from typing import Any

from allauth.account import forms as allauth_forms
from django import forms
from django.contrib.auth import password_validation
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from upward.accounts import policies
from upward.core.forms import Form, SafeInputMixin

# The address typed on the first sign-in step (upward.sso's email step puts it here).
SIGN_IN_EMAIL_SESSION_KEY = "upward_sign_in_email"
# Set by a password reset request for an address whose domain is single-sign-on only: the
# "email sent" page then points to the provider (decided by the domain alone).
RESET_SSO_SESSION_KEY = "upward_reset_sso_name"


def sso_only_message(sso: policies.SingleSignOn) -> str:
    return gettext(
        "Your organisation signs in through %(name)s, not with a password: use “Continue "
        "with %(name)s” below. (Its Upward admins can still sign in with their password.)"
    ) % {"name": sso.name}


class SignInForm(SafeInputMixin, allauth_forms.LoginForm):
    """allauth's sign-in (with the shared input checks), plus the single-sign-on-only rule.

    For an address in a single-sign-on-only domain, a wrong password and a right password of
    someone who is not an org admin get the same answer, pointing to the provider: the page
    tells nobody whether the address has an account or whether it is an admin's. Failed
    attempts still count towards the rate limits (allauth counts them in super().clean())."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request: HttpRequest | None = kwargs.get("request") or getattr(self, "request", None)
        if request is not None and not self.is_bound:
            email = request.session.get(SIGN_IN_EMAIL_SESSION_KEY, "")
            if email:
                self.initial.setdefault("login", email)

    def clean(self) -> dict[str, Any]:
        login = str(self.data.get(self.add_prefix("login"), "") or "")
        sso = policies.sso_only_for_email(login)
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if sso is not None:
                raise forms.ValidationError(sso_only_message(sso)) from None
            raise
        user = getattr(self, "user", None)
        if user is not None:
            blocked = policies.password_blocked_for_user(user)
            if blocked is not None:
                self.user = None
                raise forms.ValidationError(sso_only_message(blocked))
        return cleaned


class SignUpForm(SafeInputMixin, allauth_forms.SignupForm):
    """Sign-up is closed for addresses in a single-sign-on-only domain (decided by the domain:
    their accounts are made on the first sign-in through the provider)."""

    def clean_email(self) -> str:
        email = super().clean_email()
        sso = policies.sso_only_for_email(email)
        if sso is not None:
            raise forms.ValidationError(
                gettext(
                    "Your organisation signs in through %(name)s: no Upward account is needed "
                    "beforehand. Go to the sign-in page and continue with %(name)s."
                )
                % {"name": sso.name}
            )
        return email


class PasswordResetForm(SafeInputMixin, allauth_forms.ResetPasswordForm):
    """No reset email for people whose organisation is single-sign-on only, except its admins
    (their recovery path). The page looks the same either way; the "sent" page says, for any
    address in such a domain, that people sign in through the provider instead."""

    def save(self, request: HttpRequest, **kwargs: Any) -> str:
        email = self.cleaned_data["email"]
        sso = policies.sso_only_for_email(email)
        if sso is not None:
            request.session[RESET_SSO_SESSION_KEY] = sso.name
        else:
            request.session.pop(RESET_SSO_SESSION_KEY, None)
        if policies.reset_blocked_for_email(email) is not None:
            return str(email)
        return str(super().save(request, **kwargs))


class AcceptInvitationForm(Form):
    password1 = forms.CharField(
        label=_("Choose a password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters; not a common password and not all numbers."),
    )
    password2 = forms.CharField(
        label=_("Repeat the password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str = "", **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords do not match."))
        if p1:
            try:
                from upward.accounts.models import User

                password_validation.validate_password(p1, User(email=self.email))
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned
