"""Every service by name, for `coopreg run` and the tests."""
from __future__ import annotations

from services.bonus.entrypoints.service import SERVICE as BONUS
from services.cards.entrypoints.service import SERVICE as CARDS
from services.consent.entrypoints.service import SERVICE as CONSENT
from services.digital.entrypoints.service import SERVICE as DIGITAL
from services.membership.entrypoints.service import SERVICE as MEMBERSHIP
from services.purchases.entrypoints.service import SERVICE as PURCHASES

SERVICES = {service.name: service for service in (CARDS, PURCHASES, BONUS, MEMBERSHIP, CONSENT, DIGITAL)}
