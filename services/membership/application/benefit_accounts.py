"""Use case: the member's benefit payment account, recorded with its history and named on their household.

The IBAN is kept encrypted under the membership service's field key (for the member's own extract) and sealed
once more under the person's own data key (`shared/subject_keys.py`) for the payouts: the sealed copy travels
on membership.households.v1 to the bonus service, which never opens it, and on to S-Bank on the payouts, where
the key id (`sealed_for`) opens it through the register's key service. Erasing the person destroys that key,
and every copy of the IBAN in the logs with it. Each change closes the account in force (`valid_to`) and
records the new one from `changed_at`, so the history is kept and a payout names the account of its time;
each account keeps who named it (`source`: the customer, or staff for them).
"""
from __future__ import annotations

from contracts.envelope import Envelope
from contracts.events.membership import BenefitAccountInput, ChangeBenefitAccount
from services.membership.adapters import households, memberships
from services.membership.application import publish
from services.membership.application.config import MembershipConfig
from services.membership.application.customers import locked_person
from services.membership.domain.contact import normalise_iban
from services.membership.domain.errors import InvalidValidity, NotAMember
from shared.db import Connection
from shared.logging import get_logger

log = get_logger(component="benefit-accounts")


async def record_benefit_account(conn: Connection, person_id: str, account: BenefitAccountInput, valid_from,
                                 config: MembershipConfig, source: str = "customer") -> None:
    iban = normalise_iban(account.iban)
    await memberships.add_benefit_account(
        conn, person_id, encrypted=config.encrypt_iban(person_id, iban), token=config.iban_token(iban),
        last_four=iban[-4:], account_type=account.account_type, valid_from=valid_from,
        sealed=await config.seal_iban(conn, person_id, iban),
        account_ref=config.benefit_account_ref(person_id, iban, valid_from), source=source)


async def change_benefit_account(conn: Connection, command: ChangeBenefitAccount, cause: Envelope,
                                 config: MembershipConfig) -> None:
    await locked_person(conn, command.person_id)
    if await memberships.active_of(conn, command.person_id) is None:
        raise NotAMember()  # only a member has a benefit payment account
    latest = await memberships.latest_benefit_account_change(conn, command.person_id)
    if latest is not None and command.changed_at <= latest:
        raise InvalidValidity("the change must be later than the account in force")
    await record_benefit_account(conn, command.person_id, command.benefit_account, command.changed_at, config,
                                 source=command.changed_by)
    household = await households.active_of_main_member(conn, command.person_id)
    if household is not None:
        await publish.household(conn, household["household_id"], cause)
    # Who changed it and when, never the account: the register API audits the staff member's request.
    log.info("benefit account changed", person_id=command.person_id, changed_by=command.changed_by)
