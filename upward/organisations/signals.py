"""Signals the directory sends so the apps above it can take part without being imported."""

from __future__ import annotations

from django.dispatch import Signal

# Sent (with `department=`) inside the transaction before a department is deleted. A receiver
# returns a reason the deletion must not happen (shown to the admin), or None.
department_deletion_requested = Signal()

# Sent (with `person=` and `by=`) inside the transaction, once for each person who has just
# been marked as left, whichever way: the leave button, the person's edit form or an HR import.
# Pairing answers it: the person is not proposed again, their open proposals are withdrawn and
# their live pairings end, and the programme team is told.
person_left = Signal()
