"""Names vulture (the dead-code check of `make lint`) cannot see used, each with the reason it is not dead.

Routes, typer commands, pydantic validators and serializers and FastStream subscribers are left out by
decorator in pyproject.toml ([tool.vulture] ignore_decorators); what is here is read some other way. A name
that is only read by a test is dead code kept for its test: it is listed last, to be deleted with its test
or put to use."""
# ruff: noqa: B018 - a bare attribute is how a whitelist marks a name as used

import contracts.events.bonus as bonus_events
import contracts.events.digital as digital_events
import contracts.events.marketing as marketing
import contracts.events.membership_states as membership_states
import contracts.events.partner as partner
import contracts.events.sbank as sbank
from contracts import compatibility, subjects
from coopreg import docs_site
from coopreg.chaos import faults, stack
from coopreg.stack import kafka as stack_kafka
from services.bonus.adapters import close_publishing, closing
from services.bonus.application import publish_close
from services.bonus.domain import payout
from services.cards.application import mapping
from services.cards.domain import card_events, customer_code
from services.membership.domain import contact, contribution, cooperatives, identity_code
from services.purchases.adapters import product_data as product_data_consents
from services.purchases.adapters import receipts, staff_discounts
from services.purchases.domain import eligibility, eligibility_rules, product_data
from services.register_api.domain import extract, retention
from services.register_api.entrypoints import auth
from shared import subject_endpoint, tracing

# Framework hooks, called by the base class by name.
docs_site.DocsHandler.log_message  # http.server calls it for every request; ours keeps the log quiet
subject_endpoint._QuietServer.capture_signals  # uvicorn.Server's hook; the service owns the signals
subject_endpoint._QuietServer.should_exit  # uvicorn.Server polls it to stop

# Published contract fields: consumers read them from the message (JSON), not as Python attributes.
bonus_events.BonusStatement.table_version
bonus_events.BonusStatement.adjustment_cents
marketing.SegmentMember.computed_at
marketing.SegmentMember.first_name
membership_states.HouseholdMember.left_because
membership_states.BenefitAccountRef.iban_sealed
membership_states.HouseholdState.membership_status
membership_states.HouseholdState.contribution_deadline
membership_states.HouseholdState.dissolved_at
membership_states.PersonState.sbank_customer
membership_states.BonusCreditReturned.applied_cents
membership_states.TaxReportWritten.interest_cents
membership_states.TaxReportWritten.refunded_cents
partner.PartnerPurchase.invoice_period
sbank.RegisterSbankUpdate.causation_id
subjects.CampaignView.created_at  # answered to the register API, which passes the JSON on to finance staff
subjects.CampaignView.ended_early_at
subjects.ANSWERS  # documents which service answers which subject query (contracts/subjects.py)

digital_events.DeliveryAddress.recipient  # contracts/events/digital.py: what the web store sends, kept as sent
digital_events.DeliveryAddress.instructions
digital_events.CartItem.unit_price_cents  # kept as sent in the saved cart's items
digital_events.CustomerEnteredData.entry_id  # the producer's id; the latest value by entered_at wins

# Enum members: parsed from stored and received values (CardType("cash_card")), never named in code.
card_events.CardType.CASH_CARD
card_events.BlockReason.LOST
card_events.BlockReason.STOLEN
card_events.BlockReason.SUSPECTED_MISUSE
card_events.BlockReason.OWNER_REQUEST

# Reference data and records: fields that describe the thing, kept though no rule reads them yet.
# Named rows written by COPY and INSERT in field order (adapters), never read by name.
receipts.ReceiptRow.content_hash
receipts.ReceiptRow.outlet_cooperative
receipts.ReceiptRow.identifier_token
receipts.ReceiptRow.identifier_last4
receipts.ReceiptRow.correlation_id
receipts.ReceiptRow.card_entry
staff_discounts.StaffRight.has_right
product_data_consents.ProductDataConsent.targeting_blocked
product_data_consents.ProductDataConsent.services_blocked
product_data_consents.ProductDataConsent.e_receipts
product_data_consents.ProductDataConsent.warranty_receipts_blocked
closing.AdjustmentPayout.paid_in_month
close_publishing.HeldPayout.published_at
cooperatives.Cooperative.name_fi
cooperatives.Cooperative.name_en
cooperatives.Cooperative.domicile
cooperatives.Cooperative.bonus_table
payout.PayoutSplit.open_contribution_after_cents
retention.RetentionRule.basis  # the legal basis of a retention period, shown with the rule

# Test tooling in the code: the tests are what uses it.
stack_kafka.ensure_console_tools  # the onboarding guide's test runs the guide with Kafka's console tools
compatibility.breaking_changes  # the contract compatibility check (tests/unit/contracts/test_compatibility.py)
stack.of_this_process  # the chaos test's handle on the running stack (tests/e2e/test_chaos.py)
faults.FaultInjector.leave_and_join  # a fault kind, called by its name (FaultInjector.inject)
publish_close.FEEDS  # tests/support/close_events.py replays the close's feeds
mapping.identifier_at  # the card-number history a test reads (tests/integration/test_cards.py)
receipts.replace_allocations  # seeds allocations in tests/integration/test_receipts.py
tracing.enabled  # tests/unit/shared/test_tracing_and_latency.py

# Read only by their own unit tests: dead in the services; delete with the test or put to use.
payout.PayoutSplit.cash_cents
customer_code.verify_customer_code
contact.format_iban
contribution.Contribution.record_refund
identity_code.IdentityCode.is_temporary
eligibility.ReceiptEligibility.tier_purchases_cents
eligibility_rules.rules_from_dict
eligibility_rules.rules_to_dict
product_data.collection_levels_from_dict
extract.is_overdue
retention.is_due
auth.decode_token
