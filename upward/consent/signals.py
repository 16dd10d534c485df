"""Signals the consent app sends. Apps above it listen; consent imports none of them."""

from django.dispatch import Signal

# Sent inside the transaction that records a withdrawal, so listeners act at once (a listener
# that fails rolls the withdrawal back rather than leaving data in use).
# Arguments: person_id (int), organisation_id (int), purpose (str, a Purpose value).
consent_withdrawn = Signal()
