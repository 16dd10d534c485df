from types import SimpleNamespace
from typing import Any
from urllib.parse import quote, urlsplit

from allauth.core import context as allauth_context
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.encoding import force_str
from django.utils.html import strip_tags
from django.utils.translation import gettext, gettext_noop

from upward.accounts import policies
from upward.core.links import absolute_url
from upward.core.ratelimit import ThrottledLoginAdapter
from upward.notifications.outbox import queue_email
from upward.notifications.rendering import Action, render_html

# Links allauth builds from the request's host in two emails (by template: in the reset email
# itself, "password_reset_url" is the personal key link, which get_reset_password_from_key_url
# already makes).
SITE_LINKS: dict[str, dict[str, str]] = {
    "account/email/account_already_exists": {
        "signup_url": "account_signup",
        "password_reset_url": "account_reset_password",
    },
    "account/email/unknown_account": {"signup_url": "account_signup"},
}


def product_site() -> SimpleNamespace:
    """What allauth's emails call "the site": the product's name and the address people use
    (SITE_URL), never the host name of the request (Django's RequestSite) or example.com."""
    return SimpleNamespace(name="Upward", domain=urlsplit(settings.SITE_URL).netloc)


class AccountAdapter(ThrottledLoginAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Anyone may create an account, but it only reaches an organisation's data once its
        # verified email matches a person in that organisation's directory.
        return getattr(settings, "UPWARD_OPEN_SIGNUP", True)

    def get_logout_redirect_url(self, request: HttpRequest) -> str:
        # allauth asks before it ends the session: a sign-in through an organisation's identity
        # provider ends there too, where the provider offers it (upward/sso/logout.py).
        return policies.sign_out_redirect(request) or super().get_logout_redirect_url(request)

    # allauth's emails (address confirmation, password reset, security notices, "an account
    # already exists") leave through the outbox like every other email: allauth renders them,
    # the outbox sends them after the commit, never inside the request. Every allauth route to
    # the mail server (notification mails, login and reset codes...) ends in the method below;
    # notifications/tests/test_outbox.py fails if an allauth upgrade adds another.

    # Their links start with SITE_URL like every other email's (upward.core.links), never with
    # the request's Host header: right behind a proxy, and a forged Host cannot redirect a
    # password-reset link.

    def get_email_confirmation_url(
        self, request: HttpRequest | None, emailconfirmation: Any
    ) -> str:
        return absolute_url(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def get_reset_password_from_key_url(self, key: str) -> str:
        # allauth's own shape: an opaque "uid-key" in place of the two URL parameters.
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return absolute_url(path.replace("UID-KEY", quote(key)))

    def format_email_subject(self, subject: str) -> str:
        # The outbox adds settings.EMAIL_SUBJECT_PREFIX to every subject; allauth adding its
        # own prefix as well would print it twice.
        return force_str(subject)

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        request = allauth_context.request
        links = SITE_LINKS.get(template_prefix, {})
        context = {
            **context,
            **{key: absolute_url(reverse(name)) for key, name in links.items() if key in context},
        }
        message = self.render_mail(
            template_prefix,
            email,
            {
                "request": request,
                "email": email,
                "current_site": product_site(),
                **context,
            },
        )
        html = next(
            (
                str(content)
                for content, mimetype in getattr(message, "alternatives", [])
                if mimetype == "text/html"
            ),
            "",
        )
        body = str(message.body)
        if message.content_subtype == "html":  # only an HTML template: derive the text part
            html, body = body, strip_tags(body)
        if not html:  # allauth ships text templates: the product's own layout makes the HTML
            html = render_html(
                subject=str(message.subject),
                text=body,
                action=_account_action(context),
                reason=gettext(
                    "You are getting this email because someone used this address on Upward. "
                    "If it was not you, you can ignore it: nothing changes without the link."
                ),
            )
        queue_email(to=list(message.to), subject=str(message.subject), body=body, html=html)


# The link each allauth email asks the reader to follow, in the order they are looked for.
ACCOUNT_ACTIONS = (
    ("activate_url", gettext_noop("Confirm your email address")),
    ("password_reset_url", gettext_noop("Choose a new password")),
    ("signup_url", gettext_noop("Create your account")),
)


def _account_action(context: dict[str, Any]) -> Action | None:
    for key, label in ACCOUNT_ACTIONS:
        url = context.get(key)
        if isinstance(url, str) and url.startswith(("https://", "http://")):
            return Action(gettext(label), url)
    return None
