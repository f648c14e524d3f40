"""The register extract as a human-readable document (HTML): every section with its title, every field
in plain words, lists as tables. Built from the same JSON the machine-readable extract is."""
from __future__ import annotations

from html import escape

from services.register_api.domain.sections import SECTIONS

STYLE = ("body{font-family:sans-serif;max-width:60em;margin:2em auto}table{border-collapse:collapse;margin:.5em 0}"
         "td,th{border:1px solid #bbb;padding:.2em .5em;text-align:left;vertical-align:top}")


def _label(name: str) -> str:
    return escape(name.replace("_", " ").capitalize())


def _value(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        rows = "".join(f"<tr><th>{_label(k)}</th><td>{_value(v)}</td></tr>" for k, v in value.items())
        return f"<table>{rows}</table>"
    if isinstance(value, list):
        return _list(value)
    return escape(str(value))


def _list(items: list) -> str:
    if not items:
        return "none"
    if all(isinstance(item, dict) for item in items):
        columns = list(dict.fromkeys(k for item in items for k in item))
        head = "".join(f"<th>{_label(c)}</th>" for c in columns)
        body = "".join("<tr>" + "".join(f"<td>{_value(item.get(c))}</td>" for c in columns) + "</tr>"
                       for item in items)
        return f"<table><tr>{head}</tr>{body}</table>"
    return "<ul>" + "".join(f"<li>{_value(item)}</li>" for item in items) + "</ul>"


def render_html(document: dict) -> str:
    about = document.get("extract", {})
    parts = [f"<!doctype html><html lang=en><meta charset=utf-8><title>Register extract</title>"
             f"<style>{STYLE}</style><h1>Register extract</h1>",
             f"<p>{_value(about.get('controller'))}</p><p>Produced {_value(about.get('generated_at'))}.</p>"]
    for section, title in SECTIONS.items():
        if section in document:
            parts.append(f"<h2>{escape(title)}</h2>{_value(document[section])}")
    return "".join(parts) + "</html>"
