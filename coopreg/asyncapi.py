"""AsyncAPI 3.0 documents generated from the services themselves: FastStream describes the channels
and operations each service wires; the payload schemas come from the contracts, since the subscribers
take raw records (decoding is the delivery pipeline's job, so bad input reaches the DLQ, not a crash).

The documents must pass the official parser (`@asyncapi/parser`, run by tests/unit/docs/
test_asyncapi_parser.py from tools/asyncapi-check): AsyncAPI's schema object takes `discriminator` as the
name of the field, not OpenAPI's object that pydantic writes, so the field's name stays `discriminator` and
the value -> schema mapping moves to `x-discriminator-mapping`."""
from __future__ import annotations

from pathlib import Path

import yaml
from faststream.kafka import KafkaBroker
from faststream.specification import AsyncAPI

from contracts.topics import BY_NAME, PRIVACY_ERASURE_REPORTS, PRIVACY_RETENTION_REPORTS, Topic
from coopreg import docs_site
from shared.kafka import make_broker
from shared.privacy_duties import subscribe_privacy
from shared.runtime import ServiceContext, ServiceDefinition
from shared.settings import PROJECT_ROOT, KafkaSettings, Settings

DOCS = PROJECT_ROOT / "docs" / "asyncapi"
REF = "#/components/schemas/{model}"
# Where the brokers are is the deployment's (COOPREG_KAFKA_BOOTSTRAP_SERVERS); the server entry names the
# protocol and the variable, with the local stack's address as the default.
SERVERS = {
    "kafka": {
        "host": "{bootstrap}",
        "protocol": "kafka",
        "description": "The deployment's Kafka cluster; every topic name may carry the deployment's prefix "
                       "(COOPREG_KAFKA_TOPIC_PREFIX).",
        "variables": {"bootstrap": {"default": "127.0.0.1:19092",
                                    "description": "a bootstrap broker, as in COOPREG_KAFKA_BOOTSTRAP_SERVERS"}},
    },
}


def _add_payload(spec: dict, message: dict, model) -> None:
    schema = model.model_json_schema(ref_template=REF)
    schemas = spec["components"].setdefault("schemas", {})
    schemas.update(schema.pop("$defs", {}))
    schemas[model.__name__] = schema
    message["payload"] = {"$ref": REF.format(model=model.__name__)}
    schemas.pop("EmptyPayload", None)


def _asyncapi_discriminator(schema: dict) -> None:
    """OpenAPI's `{propertyName, mapping}` (pydantic's tagged unions) as AsyncAPI's string."""
    discriminator = schema.get("discriminator")
    if isinstance(discriminator, dict):
        schema["discriminator"] = discriminator["propertyName"]
        schema["x-discriminator-mapping"] = discriminator.get("mapping", {})


def _wiring_only(service: ServiceDefinition, settings: Settings, broker: KafkaBroker) -> ServiceContext:
    """A context to wire a service against only to read what it subscribes: `wire` subscribes and nothing more,
    so the pool and the dead letters its subscribers use when a record arrives are never reached."""
    return ServiceContext(service.name, settings, None, None, None, broker)  # type: ignore[arg-type]


def published_topics(service: ServiceDefinition) -> tuple[Topic, ...]:
    """What the service publishes: its own topics, and its erasure and retention reports."""
    return service.publishes + ((PRIVACY_ERASURE_REPORTS, PRIVACY_RETENTION_REPORTS) if service.privacy else ())


def consumed_topics(service: ServiceDefinition, settings: Settings | None = None) -> dict[str, str]:
    """Consumer group -> topic of every subscription the service makes when it runs, read by wiring it
    against a broker that is never started."""
    settings = settings or Settings(kafka=KafkaSettings(topic_prefix=""))
    ctx = _wiring_only(service, settings, make_broker(settings.kafka, service.name))
    service.wire(ctx)
    if service.privacy is not None:
        subscribe_privacy(ctx, service.privacy(settings))
    return {d.consumer: d.topic for d in ctx.deliveries}


def specification(service: ServiceDefinition, settings: Settings | None = None) -> dict:
    settings = settings or Settings()
    broker = make_broker(settings.kafka, f"{service.name}-docs")
    ctx = _wiring_only(service, settings, broker)
    service.wire(ctx)
    if service.privacy is not None:  # erasure and retention: subscribed by the runtime, not by `wire`
        subscribe_privacy(ctx, service.privacy(settings))
    for topic in published_topics(service):
        broker.publisher(settings.kafka.topic(topic.name), title=f"{service.name}:{topic.name}",
                         description=topic.description, schema=topic.model)
    spec = AsyncAPI(broker, title=f"coopreg {service.name}", version="1",
                    description=(service.description or "").strip()).to_specification().to_jsonable()
    for name, message in spec["components"]["messages"].items():
        message["correlationId"] = {"location": "$message.header#/ce_correlationid"}
        if name.endswith(":SubscribeMessage"):
            topic = BY_NAME[name.split(":")[1]]
            _add_payload(spec, message, topic.model)
    for schema in spec["components"].get("schemas", {}).values():
        _asyncapi_discriminator(schema)
    # FastStream names the address it was given; the document names the deployment's variable instead.
    spec["servers"] = SERVERS
    for channel in spec["channels"].values():
        channel.pop("servers", None)  # every channel is on the one cluster
    return spec


def render(service: ServiceDefinition) -> str:
    return yaml.safe_dump(specification(service, Settings(kafka=KafkaSettings(topic_prefix=""))), sort_keys=True,
                          allow_unicode=True)


def render_index(services: dict[str, ServiceDefinition], directory: Path = DOCS) -> str:
    """The browsable page of every service's channels and payload schemas (coopreg/docs_site.py)."""
    specs = {name: yaml.safe_load(render(service)) for name, service in services.items()}
    return docs_site.render_index(specs, docs_site.integration_pages(directory.parent))


def write_all(services: dict[str, ServiceDefinition], directory: Path = DOCS) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, service in services.items():
        path = directory / f"{name}.yaml"
        path.write_text(render(service))
        written.append(path)
    index = directory / "index.html"
    index.write_text(render_index(services, directory))
    return written + [index]
