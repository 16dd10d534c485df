"""Signals recruitment sends so the apps above it can take part without being imported."""

from __future__ import annotations

from django.dispatch import Signal

# Sent (with `application=` and `by=`) inside the transaction, after an application was
# withdrawn. Pairing answers it by withdrawing the person's open proposals in the programme.
application_withdrawn = Signal()
