"""A person's own "About you" page and their consent to each purpose. Only ever their own:
no page here takes a person's id."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from upward.consent import applicability, selectors, services
from upward.consent.categories import CATEGORIES, LIVED_EXPERIENCE
from upward.consent.forms import AboutYouForm
from upward.consent.purposes import CURRENT, Purpose
from upward.core.errors import DomainError
from upward.core.forms import apply_domain_error
from upward.core.types import AuthenticatedRequest
from upward.organisations.access import require_person


def _purpose(value: str) -> str:
    if value not in Purpose.values:
        raise Http404("No such purpose.")
    return value


@login_required
@require_http_methods(["GET", "POST"])
def about_you(request: AuthenticatedRequest) -> HttpResponse:
    person = require_person(request.user)
    about = selectors.about_you(person)
    form = AboutYouForm(
        request.POST if request.method == "POST" else None,
        person=person,
        initial=AboutYouForm.initial_from(about),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.save_about_you(
                person,
                answers={c.key: data.get(c.key, "") for c in CATEGORIES},
                lived_experience=data.get(LIVED_EXPERIENCE) or [],
                lived_prefer_not=bool(data.get("lived_prefer_not")),
                shared_with_partner=data.get("shared_with_partner") or [],
                by=request.user,
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Saved. You can change or clear any answer at any time."))
            return redirect("consent:about_you")
    purposes = []
    for purpose in Purpose:
        current = selectors.current_consent(person.pk, purpose)
        if current is None and not applicability.applies(person, purpose):
            continue  # No programme of theirs uses it: not asked.
        purposes.append(
            {
                "purpose": purpose,
                "wording": CURRENT[purpose],
                "current": current,
                "granted": bool(current and current.granted),
                "outdated": bool(
                    current and current.granted and current.version != CURRENT[purpose].version
                ),
            }
        )
    return render(
        request,
        "consent/about_you.html",
        {
            "form": form,
            "purposes": purposes,
            "history": selectors.history(person),
        },
    )


@login_required
@require_POST
def grant(request: AuthenticatedRequest, purpose: str) -> HttpResponse:
    person = require_person(request.user)
    purpose = _purpose(purpose)
    services.record_consent(person, purpose, granted=True, by=request.user)
    messages.success(
        request,
        _("Thank you. You agreed to “%(purpose)s”; you can withdraw at any time.")
        % {"purpose": Purpose(purpose).label},
    )
    return redirect("consent:about_you")


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request: AuthenticatedRequest, purpose: str) -> HttpResponse:
    person = require_person(request.user)
    purpose = _purpose(purpose)
    if request.method == "POST":
        services.record_consent(person, purpose, granted=False, by=request.user)
        messages.success(
            request,
            _("Withdrawn. From now on your answers are not used for “%(purpose)s”.")
            % {"purpose": Purpose(purpose).label},
        )
        return redirect("consent:about_you")
    return render(
        request,
        "consent/withdraw_confirm.html",
        {"purpose": Purpose(purpose), "granted": selectors.has_consent(person.pk, purpose)},
    )
