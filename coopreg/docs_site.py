"""The browsable documentation: `docs/asyncapi/index.html`, rendered from the AsyncAPI documents of the
services, and `coopreg docs --serve`, which serves `docs/` on localhost (Markdown pages rendered as HTML).

The index lists, per service, the channels it receives from and sends to (topic, key, cleanup, consumer
group) and every payload schema as a table of fields; the JSON Schemas are the ones in the AsyncAPI YAML.
"""
from __future__ import annotations

import functools
import html
import http.server
import io
from pathlib import Path
from typing import Callable
from urllib.parse import unquote

from markdown_it import MarkdownIt

from contracts.topics import BY_NAME

STYLE = """body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1b1b1b}
table{border-collapse:collapse;margin:.5rem 0 1.5rem;width:100%}th,td{border:1px solid #ccc;padding:.3rem .5rem;
text-align:left;vertical-align:top}th{background:#f3f3f3}code{background:#f3f3f3;padding:0 .2rem}
h2{border-top:2px solid #0b6e3f;padding-top:1rem}nav a{margin-right:1rem}.muted{color:#555}"""
DOC_PAGES = (("../contracts.md", "Message contracts"), ("../register-api.md", "Register API"))


def _esc(value) -> str:
    return html.escape(str(value), quote=True)


def _anchor(service: str, name: str) -> str:
    return f"{service}-schema-{name}"


def _ref_name(ref: str) -> str:
    return unquote(ref.rsplit("/", 1)[1])


def describe_type(schema: dict, link: Callable[[str], str]) -> str:
    """A JSON Schema fragment as readable HTML: `string (date-time)`, `list of ReceiptLine`, `one of …`."""
    if "$ref" in schema:
        name = _ref_name(schema["$ref"])
        return f'<a href="#{link(name)}">{_esc(name)}</a>'
    if "const" in schema:
        return f"<code>{_esc(schema['const'])}</code>"
    if "enum" in schema:
        return "one of " + ", ".join(f"<code>{_esc(v)}</code>" for v in schema["enum"])
    for combinator in ("anyOf", "oneOf", "allOf"):
        if combinator in schema:
            parts = [s for s in schema[combinator] if s.get("type") != "null"]
            text = (" or " if combinator != "allOf" else " and ").join(describe_type(s, link) for s in parts)
            return text + (" or null" if len(parts) < len(schema[combinator]) else "")
    kind = schema.get("type", "any")
    if kind == "array":
        return "list of " + describe_type(schema.get("items", {}), link)
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        return "map of " + describe_type(schema["additionalProperties"], link)
    return _esc(kind) + (f" ({_esc(schema['format'])})" if "format" in schema else "")


CONSTRAINTS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength",
               "pattern", "minItems", "maxItems")


def _notes(field: dict) -> str:
    notes = [_esc(field["description"])] if "description" in field else []
    notes += [f"{name}: <code>{_esc(field[name])}</code>" for name in CONSTRAINTS if name in field]
    if "default" in field:
        notes.append(f"default <code>{_esc(field['default'])}</code>")
    return "<br>".join(notes)


def render_schema(service: str, name: str, schema: dict) -> str:
    link = functools.partial(_anchor, service)
    out = [f'<h4 id="{link(name)}">{_esc(name)}</h4>']
    if "description" in schema:
        out.append(f"<p>{_esc(schema['description'])}</p>")
    if "oneOf" in schema and "discriminator" in schema:  # a tagged union: one variant per value of a field
        field = schema["discriminator"]
        out.append(f"<p>One of these, told apart by <code>{_esc(field)}</code>:</p><table><tr>"
                   f"<th><code>{_esc(field)}</code></th><th>schema</th></tr>")
        for value, ref in sorted(schema["x-discriminator-mapping"].items()):
            out.append(f"<tr><td><code>{_esc(value)}</code></td><td>{describe_type({'$ref': ref}, link)}</td></tr>")
        return "".join(out + ["</table>"])
    if "properties" not in schema:
        return "".join(out + [f"<p>{describe_type(schema, link)}</p>"])
    required = set(schema.get("required", ()))
    out.append("<table><tr><th>field</th><th>type</th><th>required</th><th>notes</th></tr>")
    for field, spec in schema["properties"].items():
        out.append(f"<tr><td><code>{_esc(field)}</code></td><td>{describe_type(spec, link)}</td>"
                   f"<td>{'yes' if field in required else ''}</td><td>{_notes(spec)}</td></tr>")
    out.append("</table>")
    return "".join(out)


def _topic_facts(address: str) -> tuple[str, str]:
    topic = BY_NAME.get(address)
    if topic is None:
        return ("pseudonym", "compact") if address.startswith("marketing.segment.") else ("", "")
    days = "for ever" if topic.retention_ms < 0 else f"{topic.retention_ms // 86_400_000} days"
    return topic.key, f"{topic.cleanup} ({days})" + (", external" if topic.external else "")


def render_service(name: str, spec: dict) -> str:
    link = functools.partial(_anchor, name)
    out = [f'<h2 id="{_esc(name)}">{_esc(name)}</h2>',
           f"<p>{_esc(spec['info'].get('description', ''))}</p>",
           f'<p class="muted">AsyncAPI {spec["asyncapi"]}: <a href="{_esc(name)}.yaml">{_esc(name)}.yaml</a></p>',
           "<table><tr><th>direction</th><th>topic</th><th>key</th><th>cleanup</th><th>consumer group</th>"
           "<th>payload</th><th>description</th></tr>"]
    for op_name, operation in sorted(spec["operations"].items(), key=lambda i: (i[1]["action"], i[0])):
        channel = spec["channels"][_ref_name(operation["channel"]["$ref"])]
        message = spec["components"]["messages"][_ref_name(next(iter(channel["messages"].values()))["$ref"])]
        payload = describe_type(message["payload"], link)
        key, cleanup = _topic_facts(channel["address"])
        receives = operation["action"] == "receive"
        out.append(f"<tr><td>{'receives' if receives else 'sends'}</td><td><code>{_esc(channel['address'])}</code></td>"
                   f"<td>{_esc(key)}</td><td>{_esc(cleanup)}</td>"
                   f"<td>{_esc(op_name.split(':')[0]) if receives else ''}</td><td>{payload}</td>"
                   f"<td>{_esc(channel.get('description', ''))}</td></tr>")
    out.append("</table><h3>Payload schemas</h3>")
    out += [render_schema(name, schema_name, schema)
            for schema_name, schema in sorted(spec["components"].get("schemas", {}).items())]
    return "\n".join(out)


def render_index(specs: dict[str, dict], integrations: list[tuple[str, str]]) -> str:
    """The whole page; `integrations`: (relative link, title) of each integration page."""
    pages = [*DOC_PAGES, *integrations]
    return "\n".join([
        "<!doctype html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>coopreg — event documentation</title>", f"<style>{STYLE}</style></head><body>",
        "<h1>coopreg — event documentation</h1>",
        '<p class="muted">Generated by <code>coopreg docs</code> from the services and contracts/; '
        "do not edit. Every message travels in the CloudEvents envelope of the contracts page "
        "(<code>ce_*</code> headers, <code>ce_correlationid</code> as correlation id, and "
        "<code>traceparent</code> when tracing is on).</p>",
        "<nav><strong>Services:</strong> " + " ".join(f'<a href="#{_esc(n)}">{_esc(n)}</a>' for n in specs) + "</nav>",
        "<nav><strong>Pages:</strong> " + " ".join(f'<a href="{_esc(href)}">{_esc(title)}</a>'
                                                   for href, title in pages) + "</nav>",
        *[render_service(name, spec) for name, spec in specs.items()],
        "</body></html>", ""])


def integration_pages(docs: Path) -> list[tuple[str, str]]:
    """(link relative to docs/asyncapi/, first heading) of every page in docs/integrations/."""
    pages = []
    for path in sorted((docs / "integrations").glob("*.md")):
        title = next((line.lstrip("# ").strip() for line in path.read_text().splitlines() if line.startswith("# ")),
                     path.stem)
        pages.append((f"../integrations/{path.name}", title))
    return pages


# -- serving ---------------------------------------------------------------------------------------------

_MARKDOWN = MarkdownIt("commonmark").enable("table")


class DocsHandler(http.server.SimpleHTTPRequestHandler):
    """Static files from docs/; a Markdown page is rendered to HTML, YAML shown as text."""

    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".yaml": "text/plain; charset=utf-8", ".json": "application/json"}

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.suffix != ".md" or not path.is_file():
            return super().send_head()
        body = ("<!doctype html><html><head><meta charset='utf-8'>"
                f"<title>{_esc(path.stem)}</title><style>{STYLE}</style></head><body>"
                f"{_MARKDOWN.render(path.read_text())}</body></html>").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def log_message(self, *args) -> None:
        pass


def make_server(docs: Path, port: int, host: str = "127.0.0.1") -> http.server.ThreadingHTTPServer:
    return http.server.ThreadingHTTPServer((host, port), functools.partial(DocsHandler, directory=str(docs)))
