"""A service that drops a kept-alive connection just as the register API's next query arrives on it (what
uvicorn does when its keep-alive ends at that moment) must not turn a person's page into a 503: every subject
query is a read, and the client sends it once more on a fresh connection. A service that keeps failing is
still reported unavailable. The peer is a real loopback socket speaking HTTP/1.1."""
from __future__ import annotations

import asyncio

import pytest

from contracts.subjects import PersonQuery
from services.register_api.adapters.services import ServiceClient, ServiceUnavailable
from shared.settings import Settings

pytestmark = pytest.mark.unit

FACTS = b'{"known": true, "relationship_active": true, "household_key": null}'
ANSWER = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
          % (len(FACTS), FACTS))


async def _read_request(reader: asyncio.StreamReader) -> bool:
    head = await reader.readuntil(b"\r\n\r\n") if not reader.at_eof() else b""
    if not head:
        return False
    length = next((int(h.split(b":")[1]) for h in head.split(b"\r\n") if h.lower().startswith(b"content-length")), 0)
    await reader.readexactly(length)
    return True


class Peer:
    """Answers the first request of each connection; the second request on a connection is read and then the
    connection is closed unanswered. With `answer_none` every request is dropped."""

    def __init__(self, answer_none: bool = False) -> None:
        self.answer_none, self.connections, self.requests = answer_none, 0, 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        answered = 0
        try:
            while await _read_request(reader):
                self.requests += 1
                if self.answer_none or answered:
                    break
                writer.write(ANSWER)
                await writer.drain()
                answered += 1
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()


async def _client_of(peer: Peer) -> tuple[ServiceClient, asyncio.Server]:
    server = await asyncio.start_server(peer.handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    settings = Settings()
    client = ServiceClient(settings)
    client.urls = {"membership": f"http://127.0.0.1:{port}"}
    return client, server


async def test_a_query_on_a_connection_the_service_dropped_is_sent_again_on_a_fresh_one():
    peer = Peer()
    client, server = await _client_of(peer)
    try:
        first = await client.ask("membership", "facts", PersonQuery(person_id="p-1"))
        second = await client.ask("membership", "facts", PersonQuery(person_id="p-1"))
    finally:
        await client.close()
        server.close()
    assert first.known and second.known
    # the second query went out on the kept-alive connection, was dropped, and was answered on a new one
    assert (peer.connections, peer.requests) == (2, 3)


async def test_a_service_that_drops_every_query_is_unavailable_after_one_more_try():
    peer = Peer(answer_none=True)
    client, server = await _client_of(peer)
    try:
        with pytest.raises(ServiceUnavailable, match="membership service did not answer: RemoteProtocolError"):
            await client.ask("membership", "facts", PersonQuery(person_id="p-1"))
    finally:
        await client.close()
        server.close()
    assert peer.requests == 2
