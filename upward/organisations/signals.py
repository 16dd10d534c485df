"""Signals the directory sends so the apps above it can take part without being imported."""

from __future__ import annotations

from django.dispatch import Signal

# Sent (with `department=`) inside the transaction before a department is deleted. A receiver
# returns a reason the deletion must not happen (shown to the admin), or None.
department_deletion_requested = Signal()
