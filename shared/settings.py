"""One typed settings object per process, read from the environment once in the composition root.

Every variable starts with ``COOPREG_``; the README lists them. The defaults point at the local stack
that ``coopreg stack up`` runs; production sets the same variables to its own Kafka and PostgreSQL.
"""
from __future__ import annotations

from datetime import time
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[1]


class KafkaSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COOPREG_KAFKA_")

    bootstrap_servers: str = "127.0.0.1:19092"
    topic_prefix: str = Field("", description="prepended to every topic name, e.g. 'staging.' on a shared cluster")
    partitions: int = Field(4, description="partitions of the topics the project creates")
    replication: int = Field(1, description="replication factor of the topics the project creates")
    dlq_retention_days: int = Field(30, description="how long dead letters (original bytes) are kept")
    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str | None = None
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None

    def topic(self, name: str) -> str:
        return self.topic_prefix + name

    @property
    def first_port(self) -> int:
        return int(self.bootstrap_servers.split(",")[0].rsplit(":", 1)[1])


LOCAL_ROLE_PASSWORD = "coopreg-local-{schema}"


class PostgresSettings(BaseSettings):
    """Where PostgreSQL is, and who logs in: least privilege, one role per schema.

    A process working on a schema logs in as that schema's own role (`role_prefix` + schema, e.g.
    `coopreg_cards`), which owns the schema and nothing else: it runs the schema's migrations and is refused
    every other service's tables. `user` is the operator's role, which owns the database: the provisioning
    step, the tests and the operators' tools that look across schemas log in as it, never a service. The
    superuser only provisions roles, schemas and grants (coopreg/provision.py).
    """

    # COOPREG_PG_PASSWORDS__CARDS=... sets passwords["cards"]: one variable (one secret) per service.
    model_config = SettingsConfigDict(env_prefix="COOPREG_PG_", env_nested_delimiter="__")

    host: str = "127.0.0.1"
    port: int = 15432
    user: str = Field("coopreg", description="the operator's role: owns the database; provisioning, tests and "
                      "tools that look across schemas; never a service")
    password: SecretStr = SecretStr("coopreg-local")
    database: str = "coopreg"
    role_prefix: str = Field("coopreg_", description="a schema's login role is this prefix and the schema's name")
    passwords: dict[str, SecretStr] = Field(
        default_factory=dict, description="each schema's role's password, one variable per service: "
        "COOPREG_PG_PASSWORDS__CARDS etc.; unset: the local stack's coopreg-local-<schema>")
    superuser: str = Field("postgres", description="provisions roles, schemas and grants; nothing else")
    superuser_password: SecretStr | None = Field(None, description="unset: the local stack's superuser, "
                                                 "over its Unix socket only")
    pool_min: int = 1
    pool_max: int = 8
    jit: bool = Field(False, description="PostgreSQL's JIT compilation for the services' sessions. Off: the "
                      "services' statements are many and short, and a batch's inflated cost estimates made "
                      "PostgreSQL compile each receipt batch's statement, 50-70 ms of 110-180 for 2,000 receipts")

    def role(self, schema: str) -> str:
        """The login role of a schema's owner, e.g. `coopreg_cards`."""
        return f"{self.role_prefix}{schema}"

    def role_password(self, schema: str) -> str:
        # The local stack's roles have passwords derived from the schema's name (like every other default
        # here, for development only): production sets one per service from its own secret.
        given = self.passwords.get(schema)
        return given.get_secret_value() if given else LOCAL_ROLE_PASSWORD.format(schema=schema)


class DeliverySettings(BaseSettings):
    """How consumers batch, retry and give up (then dead-letter)."""

    model_config = SettingsConfigDict(env_prefix="COOPREG_DELIVERY_")

    max_attempts: int = 3
    retry_backoff_ms: int = 200
    max_backoff_ms: int = 5000
    batch_max_records: int = 2000
    batch_timeout_ms: int = 50
    pipeline_records: int = Field(1000, description="a batch is applied in slices of this many records, one "
                                  "transaction each, the next decoded and prepared while one waits on "
                                  "PostgreSQL; 0: the whole batch")
    fetch_min_bytes: int = Field(256 * 1024, description="on a bulk topic (receipts), the broker waits for this "
                                 "much data per fetch ...")
    fetch_max_wait_ms: int = Field(20, description="... or this long: bigger batches under load. At a steady "
                                   "1,000 receipts/s, 20 ms measured p99 156-194 ms where 50 ms gave 185-335 and "
                                   "10 ms (batches too small) 298-335")
    quiet_fetch_max_wait_ms: int = Field(500, description="on the other topics a fetch returns as soon as anything "
                                         "arrives, or after this long: an idle service polling each every 20 ms "
                                         "cost 10 % of a core and the broker 8 %")
    heartbeat_interval_ms: int = Field(500, description="how often a consumer asks whether its group is "
                                       "rebalancing. A service starts its subscribers one after another and "
                                       "each waits for its group to settle, that is for every other instance to "
                                       "notice at its next heartbeat: with Kafka's 3 s, a second instance joined "
                                       "four groups in 12 s, while the first worked alone")
    outbox_batch: int = Field(10_000, description="events per relay round trip: a month close publishes millions")
    outbox_poll_ms: int = 50


class SecretsSettings(BaseSettings):
    """Keys for blind indexes and tokens of identity codes, card numbers and customer codes."""

    model_config = SettingsConfigDict(env_prefix="COOPREG_SECRET_")

    index_key: SecretStr = SecretStr("local-development-index-key-change-me")
    encryption_key: SecretStr = SecretStr("local-development-encryption-key-change-me")
    service_token_key: SecretStr = Field(SecretStr("local-development-service-token-key-change-me-0123456789"),
                                         description="signs the register API's calls to the services' "
                                                     "subject endpoints (shared/subject_endpoint.py)")


class TrustedTokenKey(BaseModel):
    """An identity provider's public key that the register API's bearer tokens may be signed with: tokens
    naming `issuer` in `iss` and `key_id` in `kid` are verified with this key and only with `algorithm` —
    a token naming another algorithm is refused, whatever its signature."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    issuer: str = Field(min_length=1, description="the token's `iss`")
    key_id: str = Field(min_length=1, description="the token's `kid` (several keys per issuer: rotation)")
    algorithm: Literal["EdDSA"] = Field("EdDSA", description="the one algorithm this key verifies (Ed25519)")
    public_key: str = Field(description="the public key, PEM (SubjectPublicKeyInfo)")

    @field_validator("public_key")
    @classmethod
    def _an_ed25519_public_key(cls, value: str) -> str:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
        from cryptography.hazmat.primitives.serialization import load_pem_public_key

        try:
            key = load_pem_public_key(value.encode())
        except ValueError:
            raise ValueError("public_key is not a PEM public key") from None
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("an EdDSA key must be an Ed25519 public key")
        return value


SERVICE_ORDER = ("cards", "purchases", "bonus", "membership", "consent", "digital")  # services/registry.py's order


def local_service_urls(base_port: int) -> dict[str, str]:
    """The services' endpoints as `coopreg services up` starts them, from `base_port` on."""
    return {name: f"http://127.0.0.1:{base_port + i}" for i, name in enumerate(SERVICE_ORDER)}


class ApiSettings(BaseSettings):
    """The register API: where it listens, the keys its bearer tokens are verified with, and its limits."""

    model_config = SettingsConfigDict(env_prefix="COOPREG_API_")

    host: str = "127.0.0.1"
    port: int = 18080
    token_key: SecretStr = SecretStr("local-development-token-key-change-me-0123456789")
    token_audience: str = Field("coopreg-register-api", description="the `aud` every token must carry")
    max_body_bytes: int = Field(64 * 1024, description="larger request bodies are refused (413)")
    retention_every_hours: float = Field(24.0, description="how often the API runs the retention job; 0: never")
    token_issuers: list[TrustedTokenKey] = Field(
        default_factory=list, description='identity providers\' public keys as JSON: [{"issuer", "key_id", '
                                          '"algorithm": "EdDSA", "public_key": PEM}]; a token with `iss` is '
                                          'verified with its issuer\'s key named by its `kid`, nothing else')
    service_urls: dict[str, str] = Field(
        default_factory=lambda: local_service_urls(9101),
        description="each service's HTTP endpoint (its COOPREG_METRICS_PORT), as JSON; the defaults are "
                    "the ports `coopreg services up` gives (from COOPREG_STACK_SERVICES_BASE_PORT)")
    service_timeout_seconds: float = Field(5.0, description="how long the API waits for a service's answer")
    local_tokens: bool = Field(True, description="accept tokens without `iss`, HS256 with token_key (operators' "
                                                 "tools); false where only the identity providers' tokens count")
    staff_token_max_hours: float = Field(8.0, gt=0, description="the longest a staff token may live (`exp` - "
                                                                "`iat`); a longer one is refused")
    subject_token_max_minutes: float = Field(60.0, gt=0, description="the longest a customer's (My data) token "
                                                                     "may live; a longer one is refused")
    rate_limit_per_principal: int = Field(300, ge=0, description="requests a minute one user may make (bursts up "
                                                                 "to as many); more are answered 429; 0: no limit")
    rate_limit_per_address: int = Field(600, ge=0, description="requests a minute from one client address, "
                                                               "whether or not their tokens are good; 0: no limit")
    keep_alive_seconds: int = Field(75, gt=0, description="how long an idle client connection is kept open; "
                                      "longer than a load balancer's idle timeout (60 s is common), or it reuses "
                                      "connections the API has just closed")

    @model_validator(mode="after")
    def _one_key_per_issuer_and_id(self) -> "ApiSettings":
        named = [(key.issuer, key.key_id) for key in self.token_issuers]
        if len(set(named)) != len(named):
            raise ValueError("token_issuers names an issuer's key id twice")
        return self

    def trusted_key(self, issuer: str, key_id: str | None) -> TrustedTokenKey | None:
        return next((k for k in self.token_issuers if (k.issuer, k.key_id) == (issuer, key_id)), None)


DEVELOPMENT_KEYS = frozenset({
    SecretsSettings.model_fields["index_key"].default.get_secret_value(),
    SecretsSettings.model_fields["encryption_key"].default.get_secret_value(),
    ApiSettings.model_fields["token_key"].default.get_secret_value(),
})
MIN_KEY_CHARS = 32


class DevelopmentKeyRefused(ValueError):
    """A development (published) or placeholder key outside development mode."""


def weak_key(key: SecretStr) -> bool:
    """A key anyone may know: one of the defaults published in this file, a placeholder, or too short."""
    text = key.get_secret_value()
    return text in DEVELOPMENT_KEYS or "change-me" in text.lower() or len(text) < MIN_KEY_CHARS


class TracingSettings(BaseSettings):
    """Optional OpenTelemetry tracing (shared/tracing.py), carried between services in the Kafka headers."""

    model_config = SettingsConfigDict(env_prefix="COOPREG_TRACING_")

    exporter: Literal["none", "console", "otlp"] = Field(
        "none", description="none: tracing off; console: spans as JSON on stderr; otlp: OTLP over HTTP")
    endpoint: str = Field("http://127.0.0.1:4318/v1/traces", description="the OTLP/HTTP traces URL (exporter otlp)")
    sample_ratio: float = Field(1.0, ge=0.0, le=1.0, description="share of new traces recorded")


class BonusSettings(BaseSettings):
    """When a Bonus month may be closed, when the bonus service closes it by itself, and when its payouts
    are late. Days and times are in Europe/Helsinki, like the months (README, "Bonus rules")."""

    model_config = SettingsConfigDict(env_prefix="COOPREG_BONUS_")

    close_grace_hours: int = Field(48, ge=0, description="a month may be closed only this long after it ended "
                                   "(00:00 on the 1st of the next month): receipts of an outlet that was "
                                   "offline over the turn of the month still count in their own month")
    scheduled_close: bool = Field(True, description="the bonus service closes the previous month by itself on "
                                  "scheduled_close_day at scheduled_close_time; a manual close before it is fine")
    scheduled_close_day: int = Field(3, ge=1, le=28, description="day of the month the previous month is closed on")
    scheduled_close_time: time = Field(time(2, 0), description="time of day (HH:MM) of the scheduled close; never "
                                       "before the grace period has passed")
    payout_deadline_day: int = Field(10, ge=1, le=28, description="the previous month's payouts must all be "
                                     "handed to S-Bank by this day ...")
    payout_deadline_time: time = Field(time(0, 0), description="... at this time (HH:MM); from then on "
                                       "coopreg_bonus_month_unpaid_past_deadline is 1 while they are not")


# [U] domain.md §0: the owner-customer agreement's own terms document and its versions were not found; the
# latest public rules of the co-op membership system are "updated 30 May 2024". Set it when the terms change.
DEFAULT_AGREEMENT_TERMS_VERSION = "s-group-rules-2024-05-30"


class MembershipSettings(BaseSettings):
    """The membership service's settings that are data rather than code."""

    model_config = SettingsConfigDict(env_prefix="COOPREG_MEMBERSHIP_")

    agreement_terms_version: str = Field(
        DEFAULT_AGREEMENT_TERMS_VERSION, pattern=r"^[A-Za-z0-9._-]{1,40}$",
        description="the owner-customer agreement's terms in force, recorded with each joining that does not "
                    "name the version the customer was shown")
    activity_wait_hours: int = Field(
        48, ge=1, le=24 * 30,
        description="how long a report of a customer's activity elsewhere waits for the customer's registration "
                    "before it is forgotten (the two arrive through different consumers; a registration behind "
                    "by more than this is an outage)")


class StackSettings(BaseSettings):
    """The local development stack (`coopreg stack up`); its ports come from the Kafka and PG settings."""

    model_config = SettingsConfigDict(env_prefix="COOPREG_STACK_")

    dir: Path = PROJECT_ROOT / ".stack"
    # The whole heap from the start, as Kafka's operations guide sets it (-Xms equal to -Xmx), rather
    # than grown under the first burst: a close of 2.6 M households on a broker just started took 60.2 s
    # from -Xms256m, 48.9 s from the whole heap.
    kafka_heap: str = "-Xms768m -Xmx768m"
    services_base_port: int = Field(9101, description="`coopreg services up` gives the services' HTTP endpoints "
                                    "this port and the next ones, in registry order (another port when a second "
                                    "set of services runs beside the first, e.g. under another topic prefix)")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COOPREG_")

    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    pg: PostgresSettings = Field(default_factory=PostgresSettings)
    delivery: DeliverySettings = Field(default_factory=DeliverySettings)
    secrets: SecretsSettings = Field(default_factory=SecretsSettings)
    stack: StackSettings = Field(default_factory=StackSettings)
    api: ApiSettings = Field(default_factory=ApiSettings)
    tracing: TracingSettings = Field(default_factory=TracingSettings)
    bonus: BonusSettings = Field(default_factory=BonusSettings)
    membership: MembershipSettings = Field(default_factory=MembershipSettings)
    log_level: str = "INFO"
    log_format: Literal["json", "console"] = Field(
        "json", description="json: one JSON object a line, what every process writes unless console is asked "
        "for; console: aligned text for a person at a terminal")
    instance: str = Field("local-1", description="this process's name in logs and Kafka client ids")
    metrics_port: int = Field(0, description="port of the service's HTTP endpoint: /health, /ready, /metrics "
                              "and the subject queries the register API asks; 0: no endpoint")
    http_host: str = Field("127.0.0.1", description="address the service's HTTP endpoint listens on "
                           "(0.0.0.0 in a container)")
    env: Literal["development", "production"] = Field(
        "development", description="development (a source checkout, the local stack, the tests): the published "
        "development keys are accepted; production (the image sets it): a process refuses to start with them")
    event_loop: Literal["uvloop", "asyncio"] = Field(
        "uvloop", description="the services' event loop: uvloop (libuv, in C), or asyncio's own in Python")
    gc_threshold: int = Field(50_000, description="allocations between young garbage collections (CPython's "
                              "default, 700, makes a batch of thousands of receipts collect its own survivors "
                              "over and over: decoding cost twice as much)")

    @model_validator(mode="after")
    def _no_development_keys_in_production(self) -> "Settings":
        """Every service keys its blind indexes and encrypts with these, so each refuses them in production."""
        if self.env == "production":
            weak = [name for name, key in (("COOPREG_SECRET_INDEX_KEY", self.secrets.index_key),
                                           ("COOPREG_SECRET_ENCRYPTION_KEY", self.secrets.encryption_key))
                    if weak_key(key)]
            if weak:
                raise DevelopmentKeyRefused(f"{', '.join(weak)}: a development or placeholder key (or shorter than "
                                            f"{MIN_KEY_CHARS} characters) in production")
        return self

    @model_validator(mode="after")
    def _api_asks_the_services_where_they_listen(self) -> "Settings":
        """Without COOPREG_API_SERVICE_URLS the API asks the services where `coopreg services up` starts them."""
        if "service_urls" not in self.api.model_fields_set:
            self.api.service_urls = local_service_urls(self.stack.services_base_port)
        return self

    def check_api_keys(self) -> None:
        """The register API's own: its token key signs staff tokens (checked only where those are accepted)."""
        if self.env == "production" and self.api.local_tokens and weak_key(self.api.token_key):
            raise DevelopmentKeyRefused(f"COOPREG_API_TOKEN_KEY: a development or placeholder key (or shorter than "
                                        f"{MIN_KEY_CHARS} characters) in production")
