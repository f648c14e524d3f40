"""The integration pages (docs/integrations/) and the browsable index (docs/asyncapi/index.html) cover every
external topic and every service channel, their examples are valid messages, and `coopreg docs --serve`
serves them."""
from __future__ import annotations

import html
import re
import threading
import urllib.request

import orjson
import pytest
import yaml

from contracts.events.marketing import SEGMENT_TOPIC_TEMPLATE
from contracts.topics import ALL, BY_NAME, marketing_segment
from coopreg.asyncapi import DOCS, render, render_index
from coopreg.docs_site import make_server
from services.registry import SERVICES
from shared.settings import PROJECT_ROOT

pytestmark = pytest.mark.unit

INTEGRATIONS = PROJECT_ROOT / "docs" / "integrations"
PAGES = {path.name: path.read_text() for path in sorted(INTEGRATIONS.glob("*.md"))}
EXTERNAL = sorted({t.name for t in ALL if t.external} | {SEGMENT_TOPIC_TEMPLATE.format(name="<name>")})
PUBLISHED = {topic.name for service in SERVICES.values() for topic in service.publishes}
EXAMPLE = re.compile(r"<!-- example (?P<topic>\S+) -->\s*```json\n(?P<body>.*?)```", re.S)


def test_the_external_topics_include_those_of_every_neighbour():
    assert {"pos.purchases.v1", "partner.purchases.v1", "sbank.customer-updates.v1", "register.sbank-updates.v1",
            "bonus.payouts.v1", "dvv.population-updates.v1", "hr.staff-updates.v1",
            "marketing.segment.<name>.v1"} <= set(EXTERNAL)


@pytest.mark.parametrize("topic", EXTERNAL)
def test_every_external_topic_is_named_in_an_integration_page(topic):
    assert [name for name, text in PAGES.items() if name != "README.md" and f"`{topic}`" in text], \
        f"no page in docs/integrations/ names {topic}"


@pytest.mark.parametrize("topic", [t for t in EXTERNAL if t not in PUBLISHED and not t.startswith("marketing.")])
def test_every_inbound_external_topic_says_where_its_errors_go(topic):
    pages = [text for name, text in PAGES.items() if name != "README.md" and f"`{topic}`" in text]
    assert any(f"{topic}.dlq" in text and "dlq_reason" in text for text in pages), topic


def _model(topic: str):
    if topic.startswith("marketing.segment."):
        return marketing_segment(topic.split(".")[2]).model
    return BY_NAME[topic].model


def test_every_example_in_the_integration_pages_is_a_valid_message():
    examples = [(name, m["topic"], m["body"]) for name, text in PAGES.items() for m in EXAMPLE.finditer(text)]
    assert {topic for _, topic, _ in examples} >= {"pos.purchases.v1", "sbank.customer-updates.v1",
                                                   "bonus.payouts.v1", "dvv.population-updates.v1",
                                                   "hr.staff-updates.v1", "partner.purchases.v1"}
    assert any(topic.startswith("marketing.segment.") for _, topic, _ in examples)
    for name, topic, body in examples:
        try:
            _model(topic).model_validate(orjson.loads(body))
        except ValueError as error:
            raise AssertionError(f"{name}: the {topic} example is invalid: {error}") from None


def test_the_integration_index_and_the_readme_link_every_page():
    readme = (PROJECT_ROOT / "README.md").read_text()
    assert "docs/integrations/README.md" in readme
    for name in PAGES:
        if name != "README.md":
            assert f"]({name})" in PAGES["README.md"], name


def test_the_committed_index_is_the_one_the_services_generate_today():
    committed = DOCS / "index.html"
    assert committed.exists(), "run `coopreg docs`"
    assert committed.read_text() == render_index(SERVICES), "the services or pages changed: run `coopreg docs`"


def test_the_index_shows_every_channel_and_every_payload_schema_of_every_service():
    page = render_index(SERVICES)
    for name, service in SERVICES.items():
        spec = yaml.safe_load(render(service))
        assert f'<h2 id="{name}">' in page
        for channel in spec["channels"].values():
            assert f"<code>{html.escape(channel['address'])}</code>" in page, (name, channel["address"])
        for schema in spec["components"]["schemas"]:
            assert f'id="{name}-schema-{schema}"' in page, (name, schema)
    for page_name in PAGES:
        assert f'href="../integrations/{page_name}"' in page


def test_the_docs_server_serves_the_index_and_renders_markdown_pages():
    server = make_server(DOCS.parent, 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        with urllib.request.urlopen(f"{base}/asyncapi/index.html", timeout=5) as response:
            assert response.status == 200 and "<h1>coopreg — event documentation</h1>" in response.read().decode()
        with urllib.request.urlopen(f"{base}/integrations/pos-vendors.md", timeout=5) as response:
            assert response.headers["Content-Type"].startswith("text/html")
            body = response.read().decode()
            assert "<h1>POS vendors" in body and "<table>" in body
    finally:
        server.shutdown()
        server.server_close()
