"""Field types shared by the external contracts: what a value must look like on the wire.

These are format checks only. Deeper rules (the identity code's check character and birth date, whether a
phone number is reachable) belong to the service that consumes the message, which answers a failure with
a domain reason code in the dead-letter queue.
"""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from contracts.events.common import Contract

IdentityCode = Annotated[str, Field(
    pattern=r"^(0[1-9]|[12][0-9]|3[01])(0[1-9]|1[0-2])[0-9]{2}[-+A-FU-Y][0-9]{3}[0-9A-FHJ-NPR-Y]$",
    description="Finnish personal identity code DDMMYYCZZZQ (century sign one of + - A-F U-Y); "
                "in clear on the wire only, never stored or logged in clear",
)]
Phone = Annotated[str, Field(pattern=r"^\+[1-9][0-9]{7,14}$", description="E.164: + and 8-15 digits")]
Email = Annotated[str, Field(max_length=254, pattern=r"^[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+$")]
Language = Literal["fi", "sv", "en"]
Slug = Annotated[str, Field(pattern=r"^[a-z0-9-]{2,32}$")]
MessageId = Annotated[str, Field(pattern=r"^[A-Za-z0-9._:-]{1,64}$")]
MunicipalityCode = Annotated[str, Field(pattern=r"^[0-9]{3}$",
                                        description="Statistics Finland municipality code, e.g. 091 Helsinki")]
# Printable text without control characters or surrounding whitespace.
Text = Annotated[str, Field(min_length=1, max_length=100,
                            pattern=r"^[^\s\x00-\x1f\x7f](?:[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f])?$")]

FINNISH_POSTAL_CODE_COUNTRIES = frozenset({"FI", "AX"})


class PersonName(Contract):
    first_names: Text = Field(description="all first names, as in the population register")
    last_name: Text


class PostalAddress(Contract):
    street: Text = Field(description="street address, or PL/PO box")
    postal_code: str = Field(pattern=r"^[A-Z0-9][A-Z0-9 -]{1,9}$")
    city: Text
    country_code: str = Field("FI", pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")

    @model_validator(mode="after")
    def _finnish_postal_code(self) -> "PostalAddress":
        if self.country_code in FINNISH_POSTAL_CODE_COUNTRIES and not (
                len(self.postal_code) == 5 and self.postal_code.isdigit()):
            raise ValueError("a Finnish postal code has five digits")
        return self
