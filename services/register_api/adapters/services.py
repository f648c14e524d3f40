"""The register API's client of the services' subject endpoints (contracts/subjects.py): each service's part
of a person is asked of the service itself, over HTTP, with a short-lived token for that service alone."""
from __future__ import annotations

from typing import Literal, overload

import httpx
import orjson

from contracts.subjects import (
    QUERIES,
    Campaigns,
    CampaignsRequest,
    CheckResult,
    CommandCheck,
    FindPerson,
    FoundPerson,
    HouseholdBonus,
    HouseholdMembers,
    HouseholdMonth,
    Part,
    PartRequest,
    PersonFacts,
    PersonQuery,
    Query,
    ReceiptIssues,
    ReceiptIssuesRequest,
    StaffDiscounts,
    StaffDiscountsRequest,
    TaxReport,
    TaxReportQuery,
)
from shared.logging import get_logger
from shared.settings import Settings
from shared.subject_endpoint import KEEP_ALIVE_SECONDS, service_token

log = get_logger(component="service-client")
# The client lets an idle connection go well before the service would (KEEP_ALIVE_SECONDS): a request sent
# on a connection the service is closing at that moment never reaches it.
KEEPALIVE_EXPIRY_SECONDS = KEEP_ALIVE_SECONDS / 3


class ServiceUnavailable(Exception):
    """A service did not answer (down, slow or refusing): the request cannot be completed now."""

    def __init__(self, service: str, why: str) -> None:
        super().__init__(f"the {service} service did not answer: {why}")
        self.service = service


class ServiceClient:
    def __init__(self, settings: Settings) -> None:
        self.urls = dict(settings.api.service_urls)
        self._key = settings.secrets.service_token_key.get_secret_value()
        self._http = httpx.AsyncClient(timeout=settings.api.service_timeout_seconds, trust_env=False,
                                       limits=httpx.Limits(keepalive_expiry=KEEPALIVE_EXPIRY_SECONDS))

    def __repr__(self) -> str:
        return f"ServiceClient({sorted(self.urls)})"

    # Each query's request and answer models as QUERIES pairs them (a unit test holds the two together), so
    # that a use case reads the answer as the model the client validated it as.
    @overload
    async def ask(self, service: str, name: Literal["find"], query: FindPerson) -> FoundPerson: ...
    @overload
    async def ask(self, service: str, name: Literal["part"], query: PartRequest) -> Part: ...
    @overload
    async def ask(self, service: str, name: Literal["facts"], query: PersonQuery) -> PersonFacts: ...
    @overload
    async def ask(self, service: str, name: Literal["check"], query: CommandCheck) -> CheckResult: ...
    @overload
    async def ask(self, service: str, name: Literal["household_members"],
                  query: HouseholdMonth) -> HouseholdMembers: ...
    @overload
    async def ask(self, service: str, name: Literal["household_bonus_explained", "household_bonus_month_to_date"],
                  query: HouseholdMonth) -> HouseholdBonus: ...
    @overload
    async def ask(self, service: str, name: Literal["tax_report"], query: TaxReportQuery) -> TaxReport: ...
    @overload
    async def ask(self, service: str, name: Literal["receipt_issues"],
                  query: ReceiptIssuesRequest) -> ReceiptIssues: ...
    @overload
    async def ask(self, service: str, name: Literal["staff_discounts"],
                  query: StaffDiscountsRequest) -> StaffDiscounts: ...
    @overload
    async def ask(self, service: str, name: Literal["campaigns"], query: CampaignsRequest) -> Campaigns: ...

    async def ask(self, service: str, name: str, query: Query) -> Query:
        url = self.urls.get(service)
        if url is None:
            raise ServiceUnavailable(service, "no URL configured (COOPREG_API_SERVICE_URLS)")
        response = await self._post(service, name, f"{url}/subjects/{name}", query.model_dump_json())
        if response.status_code != 200:
            raise self._unavailable(service, name, f"HTTP {response.status_code}")
        if name == "part":  # a person's whole part, thousands of receipts: parsed, not validated field by field
            return Part.model_construct(sections=orjson.loads(response.content)["sections"])
        return QUERIES[name][1].model_validate_json(response.content)

    async def _post(self, service: str, name: str, url: str, body: str) -> httpx.Response:
        """Every subject query is a read, so one that never got an answer is sent once more: a connection
        dropped as the request went out, or a service that was restarting, should not fail the user's request.
        A timeout is not retried: the user has waited long enough."""
        def send():
            return self._http.post(url, content=body, headers={
                "Authorization": f"Bearer {service_token(self._key, service)}", "Content-Type": "application/json"})
        try:
            try:
                return await send()
            except (httpx.NetworkError, httpx.RemoteProtocolError) as error:
                log.info("service query sent again", service=service, query=name, why=type(error).__name__)
                return await send()
        except httpx.HTTPError as error:
            raise self._unavailable(service, name, type(error).__name__) from None

    @staticmethod
    def _unavailable(service: str, name: str, why: str) -> ServiceUnavailable:
        # the query's name and the reason only: never the person asked about
        log.warning("service did not answer", service=service, query=name, why=why)
        return ServiceUnavailable(service, why)

    async def close(self) -> None:
        await self._http.aclose()
