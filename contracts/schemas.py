"""JSON Schema files of the topics' payloads, the published form external producers and consumers code against.

One file per topic in ``contracts.topics.ALL``, named ``<topic>.schema.json``, plus one for the
per-segment marketing topics, ``marketing.segment.NAME.v1.schema.json`` (upper-case NAME cannot clash with
a real segment name). Each is the payload model's validation schema with a top-level ``x-topic`` naming the
topic, its key and its cleanup policy.

The committed files in ``contracts/schemas/`` are the last published form: the unit tests fail when a model
no longer matches them (regenerate with ``python -m contracts.schemas`` and commit the result) and when a
change is not backward compatible (``contracts.compatibility``), which needs a new topic version instead.
"""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from contracts.topics import ALL, Topic, marketing_segment

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_DIRECTORY = Path(__file__).resolve().parent / "schemas"
SUFFIX = ".schema.json"
SEGMENT_TEMPLATE = dataclasses.replace(marketing_segment("name"), name="marketing.segment.<name>.v1",
                                       description="Members of one marketing segment")
SEGMENT_FILE_STEM = "marketing.segment.NAME.v1"


def published_topics() -> list[tuple[str, Topic]]:
    """(file stem, topic) of every schema file: the topics in ALL, then the segment template."""
    return [(topic.name, topic) for topic in ALL] + [(SEGMENT_FILE_STEM, SEGMENT_TEMPLATE)]


def topic_schema(topic: Topic) -> dict[str, Any]:
    schema = topic.model.model_json_schema(mode="validation")
    return {"$schema": SCHEMA_DIALECT,
            "x-topic": {"name": topic.name, "key": topic.key, "cleanup": topic.cleanup},
            **schema}


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def export_json_schemas(directory: Path) -> list[Path]:
    """Write one `<topic>.schema.json` per published topic into `directory`; return the paths written."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for stem, topic in published_topics():
        path = directory / f"{stem}{SUFFIX}"
        path.write_text(render(topic_schema(topic)), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for written_path in export_json_schemas(SCHEMA_DIRECTORY):
        print(written_path)
