"""The register API's client of the services' subject endpoints (contracts/subjects.py): each service's part
of a person is asked of the service itself, over HTTP, with a short-lived token for that service alone."""
from __future__ import annotations

import httpx
import orjson

from contracts.subjects import QUERIES, Part, Query
from shared.settings import Settings
from shared.subject_endpoint import service_token


class ServiceUnavailable(Exception):
    """A service did not answer (down, slow or refusing): the request cannot be completed now."""

    def __init__(self, service: str, why: str) -> None:
        super().__init__(f"the {service} service did not answer: {why}")
        self.service = service


class ServiceClient:
    def __init__(self, settings: Settings) -> None:
        self.urls = dict(settings.api.service_urls)
        self._key = settings.secrets.service_token_key.get_secret_value()
        self._http = httpx.AsyncClient(timeout=settings.api.service_timeout_seconds, trust_env=False)

    def __repr__(self) -> str:
        return f"ServiceClient({sorted(self.urls)})"

    async def ask(self, service: str, name: str, query: Query) -> Query:
        url = self.urls.get(service)
        if url is None:
            raise ServiceUnavailable(service, "no URL configured (COOPREG_API_SERVICE_URLS)")
        try:
            response = await self._http.post(f"{url}/subjects/{name}", content=query.model_dump_json(),
                                             headers={"Authorization": f"Bearer {service_token(self._key, service)}",
                                                      "Content-Type": "application/json"})
        except httpx.HTTPError as error:
            raise ServiceUnavailable(service, type(error).__name__) from None
        if response.status_code != 200:
            raise ServiceUnavailable(service, f"HTTP {response.status_code}")
        if name == "part":  # a person's whole part, thousands of receipts: parsed, not validated field by field
            return Part.model_construct(sections=orjson.loads(response.content)["sections"])
        return QUERIES[name][1].model_validate_json(response.content)

    async def close(self) -> None:
        await self._http.aclose()
