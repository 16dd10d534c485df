from allauth.account.utils import perform_login
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from upward.accounts import services
from upward.accounts.forms import AcceptInvitationForm
from upward.accounts.models import AccountInvitation
from upward.core.errors import DomainError
from upward.core.forms import apply_domain_error
from upward.core.ratelimit import limit_per_address
from upward.core.shortcuts import act_and_redirect
from upward.core.types import AuthenticatedRequest
from upward.organisations.access import access_person


def _gone(request: HttpRequest, invitation: AccountInvitation) -> HttpResponse:
    return render(request, "accounts/invitation_used.html", {"invitation": invitation}, status=410)


@limit_per_address("invitation")
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = AccountInvitation.objects.select_related("person__organisation").get(
            token=token
        )
    except AccountInvitation.DoesNotExist as exc:
        raise Http404("No such invitation.") from exc
    if not invitation.is_usable or invitation.person.user_id is not None:
        return _gone(request, invitation)
    context = {"invitation": invitation, "next": request.path}
    # Only the holder of the link, who reads mail at the invited address, learns that the
    # address already has an account. The admin who invited them is never told.
    if services.existing_account_for(invitation) is not None:
        context["can_join"] = request.user.is_authenticated and services.owns_address(
            request.user, invitation.email
        )
        if request.user.is_authenticated and request.method == "POST":
            try:
                services.accept_invitation_as(invitation, user=request.user)
            except services.InvitationUnusable:
                return _gone(request, invitation)
            except DomainError as exc:
                context["error"] = exc.message
            else:
                organisation = invitation.person.organisation.name
                messages.success(request, f"You have joined {organisation} on Upward.")
                return redirect("/dashboard/")
        return render(request, "accounts/invitation_existing_account.html", context)
    form = AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.accept_invitation(invitation, password=form.cleaned_data["password1"])
        except services.InvitationUnusable:
            return _gone(request, invitation)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "Welcome to Upward. Your account is ready.")
            return perform_login(request, user, redirect_url="/dashboard/")
    context["form"] = form
    return render(request, "accounts/accept_invitation.html", context)


# The button on the directory's person page. Its address stays under /people/ in the
# organisations namespace (see config/urls.py); the view is here because organisations sits
# below accounts and must not import it.
@login_required
@require_POST
def person_invite(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = access_person(request.user, pk)
    return act_and_redirect(
        request,
        lambda: services.invite_person_to_upward(person, by=request.user),
        success=_("We emailed %(name)s an invitation to set up their Upward account.")
        % {"name": person.full_name},
        to=reverse("organisations:person_detail", args=[person.pk]),
    )
