"""The simulated population's identity codes and the settling check's reading of the services' metrics."""
from __future__ import annotations

from coopreg.services_ctl import metrics_port
from coopreg.simulate.register import CODES, CODES_PER_SECOND, first_code, identity_code
from coopreg.simulate.settle import parse_metrics
from services.membership.domain.identity_code import parse_identity_code
from services.registry import SERVICES
from shared.settings import Settings


def test_the_codes_of_the_sequence_are_valid_and_distinct():
    start = first_code(1_790_000_000)
    codes = [identity_code(start + k) for k in range(5000)] + [identity_code(k) for k in (0, CODES - 1)]
    assert len(set(codes)) == len(codes)
    for code in codes:
        assert parse_identity_code(code).birth_date.year >= 1940  # a permanent code of an adult


def test_a_later_run_starts_past_an_earlier_one_that_took_less_than_the_rate():
    earlier, later = first_code(1_790_000_000), first_code(1_790_000_060)
    assert later - earlier == 60 * CODES_PER_SECOND
    assert identity_code(later) not in {identity_code(earlier + k) for k in range(60 * CODES_PER_SECOND)}


def test_the_outbox_backlog_and_every_consumer_are_read_from_the_metrics():
    text = "\n".join([
        "# TYPE coopreg_messages_consumed_total counter",
        'coopreg_messages_consumed_total{service="cards",consumer="cards",topic="x.cards.commands.v1"} 4',
        'coopreg_messages_consumed_total{service="cards",consumer="cards-households",'
        'topic="x.membership.households.v1"} 0',
        'coopreg_outbox_backlog{service="cards"} 17',
    ])
    load = parse_metrics("cards", text)
    assert load.outbox_backlog == 17
    assert load.consumers == (("cards", "x.cards.commands.v1"), ("cards-households", "x.membership.households.v1"))


def test_a_second_set_of_services_listens_from_another_base_port_and_the_api_asks_it_there(monkeypatch):
    monkeypatch.setenv("COOPREG_STACK_SERVICES_BASE_PORT", "9301")
    monkeypatch.delenv("COOPREG_API_SERVICE_URLS", raising=False)
    settings = Settings()
    assert [metrics_port(name, settings) for name in SERVICES] == [9301, 9302, 9303, 9304, 9305, 9306]
    assert settings.api.service_urls == {name: f"http://127.0.0.1:{metrics_port(name, settings)}"
                                         for name in SERVICES}
    monkeypatch.setenv("COOPREG_API_SERVICE_URLS", '{"cards": "http://10.0.0.1:80"}')
    assert Settings().api.service_urls == {"cards": "http://10.0.0.1:80"}  # set explicitly: kept
