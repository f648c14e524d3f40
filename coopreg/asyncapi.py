"""AsyncAPI 3.0 documents generated from the services themselves: FastStream describes the channels
and operations each service wires; the payload schemas come from the contracts, since the subscribers
take raw records (decoding is the delivery pipeline's job, so bad input reaches the DLQ, not a crash)."""
from __future__ import annotations

from pathlib import Path

import yaml
from faststream.specification import AsyncAPI

from contracts.topics import BY_NAME
from coopreg import docs_site
from shared.kafka import make_broker
from shared.runtime import ServiceContext, ServiceDefinition
from shared.settings import PROJECT_ROOT, Settings

DOCS = PROJECT_ROOT / "docs" / "asyncapi"
REF = "#/components/schemas/{model}"


def _add_payload(spec: dict, message: dict, model) -> None:
    schema = model.model_json_schema(ref_template=REF)
    schemas = spec["components"].setdefault("schemas", {})
    schemas.update(schema.pop("$defs", {}))
    schemas[model.__name__] = schema
    message["payload"] = {"$ref": REF.format(model=model.__name__)}
    schemas.pop("EmptyPayload", None)


def specification(service: ServiceDefinition, settings: Settings | None = None) -> dict:
    settings = settings or Settings()
    broker = make_broker(settings.kafka, f"{service.name}-docs")
    service.wire(ServiceContext(service.name, settings, None, None, None, broker))
    for topic in service.publishes:
        broker.publisher(settings.kafka.topic(topic.name), title=f"{service.name}:{topic.name}",
                         description=topic.description, schema=topic.model)
    spec = AsyncAPI(broker, title=f"coopreg {service.name}", version="1",
                    description=(service.description or "").strip()).to_specification().to_jsonable()
    for name, message in spec["components"]["messages"].items():
        message["correlationId"] = {"location": "$message.header#/ce_correlationid"}
        if name.endswith(":SubscribeMessage"):
            topic = BY_NAME[name.split(":")[1]]
            _add_payload(spec, message, topic.model)
    spec.pop("servers", None)  # where a service runs is deployment, not contract
    for channel in spec["channels"].values():
        channel.pop("servers", None)
    return spec


def render(service: ServiceDefinition) -> str:
    return yaml.safe_dump(specification(service, Settings(kafka={"topic_prefix": ""})), sort_keys=True,
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
