from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from upward.organisations.models import Organisation, Person


class ScimIdentity(models.Model):
    """What the identity system calls a person it provisions, next to the directory entry.

    `userName` is how Entra ID and Okta find a person again (often the sign-in name, which need
    not be the work email), so it is kept as sent; the given and family names are kept only to
    answer them back. Everything else lives on the Person."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="scim_identities"
    )
    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="scim_identity")
    user_name = models.CharField(max_length=255)
    given_name = models.CharField(max_length=150, blank=True)
    family_name = models.CharField(max_length=150, blank=True)
    # Set by a SCIM DELETE: the person went through the leaver flow and SCIM no longer lists
    # them; a later POST for the same email brings them back.
    deleted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "organisation",
                Lower("user_name"),
                condition=Q(deleted_at__isnull=True),
                name="scim_identity_user_name_unique",
            )
        ]

    def __str__(self) -> str:
        return self.user_name
