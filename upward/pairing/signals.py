"""Signals the pairing app sends, for the apps above it (journey, safety, impact...).

`pairing_closed(pairing, by)` is sent inside the transaction that moved a pairing out of the
live states: to ENDED (the no-fault exit, the programme team ending it, a leaver), COMPLETED
(one pair, or the whole programme at its end) or DECLINED (a proposal that did not go ahead).
Receivers work in the same transaction, so a failure undoes the move too. `pairing.state`
says where it went.
"""

from __future__ import annotations

from django.dispatch import Signal

pairing_closed = Signal()
