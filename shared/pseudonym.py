"""Keyed tokens: the only form in which card numbers, member numbers and identity codes are looked up.

A token is HMAC-SHA256 under the register's index key, so equal inputs meet in a join without the
input ever being stored; without the key a token cannot be reversed or recomputed from a guess.
"""
from __future__ import annotations

import hmac


def keyed_token(namespace: str, value: str, key: str) -> str:
    return hmac.digest(key.encode(), f"{namespace}:{value}".encode(), "sha256").hex()[:40]


def identifier_namespace(kind: str) -> str:
    """Cards and their wallet tokens share the card namespace; member numbers have their own."""
    return "member" if kind == "member_number" else "card"
