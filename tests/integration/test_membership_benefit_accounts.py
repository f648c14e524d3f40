"""The benefit account: changed by command with its history, named on the household sealed for the member."""
from __future__ import annotations

import base64
from datetime import timedelta

from contracts.events.membership import BenefitAccountInput, ChangeBenefitAccount
from contracts.topics import MEMBERSHIP_HOUSEHOLDS
from services.membership.application.config import MembershipConfig
from shared.subject_keys import unseal
from tests.support.membership_db import latest, refusal, run
from tests.support.people import IBAN, T0, join, register
from tests.support.service_fixtures import config_of, pool_of

config, pool = config_of(MembershipConfig), pool_of("membership")
NEW_IBAN = "FI5542345670000081"


def change(person_id: str, iban: str = NEW_IBAN, days: int = 3) -> ChangeBenefitAccount:
    return ChangeBenefitAccount(person_id=person_id, changed_at=T0 + timedelta(days=days), changed_by="staff",
                                benefit_account=BenefitAccountInput(iban=iban, account_type="savings_account"))


async def opened(pool, config, account: dict) -> str:
    async with pool.acquire() as conn:
        key = await config.subject_keys.key_for(conn, account["sealed_for"])
    return unseal(key, account["sealed_for"], base64.b64decode(account["iban_sealed"])).decode()


async def test_the_household_names_the_main_members_account_sealed_and_a_change_keeps_history(pool, config):
    customer = register()
    joined = join(customer.person_id)
    await run(pool, config, customer, joined)
    first = (await latest(pool, MEMBERSHIP_HOUSEHOLDS, joined.household_id))["benefit_account"]
    assert (first["sealed_for"], first["account_type"], first["last_four"]) == (customer.person_id,
                                                                                 "current_account", IBAN[-4:])
    assert IBAN not in str(first) and await opened(pool, config, first) == IBAN

    await run(pool, config, change(customer.person_id))
    second = (await latest(pool, MEMBERSHIP_HOUSEHOLDS, joined.household_id))["benefit_account"]
    assert second["account_ref"] != first["account_ref"] and second["account_type"] == "savings_account"
    assert await opened(pool, config, second) == NEW_IBAN
    history = await pool.fetch("SELECT last_four, valid_from, valid_to FROM benefit_accounts WHERE person_id = $1"
                               " ORDER BY valid_from", customer.person_id)
    assert [(r["last_four"], r["valid_to"]) for r in history] == [(IBAN[-4:], T0 + timedelta(days=3)),
                                                                   (NEW_IBAN[-4:], None)]
    assert await refusal(pool, config, change(customer.person_id, days=2)) == "invalid_validity"  # not before it


async def test_only_a_member_with_a_valid_iban_changes_an_account(pool, config):
    customer = register()
    await run(pool, config, customer)
    assert await refusal(pool, config, change(customer.person_id)) == "not_a_member"
    await run(pool, config, join(customer.person_id))
    assert await refusal(pool, config, change(customer.person_id, iban="FI0012345600000785")) == "invalid_iban"
