"""The two fixtures a service's integration modules share: the service's configuration and its pool.

    config, pool = config_of(MembershipConfig), pool_of("membership")
"""
from __future__ import annotations

import pytest


def config_of(config_type):
    """A `config` fixture: `config_type` read from the session's settings."""
    @pytest.fixture(name="config")
    def config(settings):
        return config_type.from_settings(settings)
    return config


def pool_of(service: str):
    """A `pool` fixture: the connection pool of `service`'s schema."""
    @pytest.fixture(name="pool")
    def pool(pools):
        return pools[service]
    return pool
