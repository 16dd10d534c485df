from allauth.account.utils import perform_login
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from upward.accounts import services
from upward.accounts.forms import AcceptInvitationForm
from upward.accounts.models import AccountInvitation
from upward.core.errors import DomainError
from upward.core.ratelimit import limit_per_address


@limit_per_address("invitation")
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = AccountInvitation.objects.select_related("person__organisation").get(
            token=token
        )
    except AccountInvitation.DoesNotExist as exc:
        raise Http404("No such invitation.") from exc
    if not invitation.is_usable:
        return render(
            request, "accounts/invitation_used.html", {"invitation": invitation}, status=410
        )
    form = AcceptInvitationForm(request.POST or None, email=invitation.person.email)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.accept_invitation(invitation, password=form.cleaned_data["password1"])
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Welcome to Upward. Your account is ready.")
            return perform_login(request, user, redirect_url="/dashboard/")
    return render(
        request, "accounts/accept_invitation.html", {"form": form, "invitation": invitation}
    )
