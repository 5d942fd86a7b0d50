"""Loopback relays the tests control: a TCP relay that can be cut (a database
going away) and an HTTP round-robin balancer (two Rasa replicas behind one
address), and fake services (ServerThread). Each runs its own event loop in a
thread."""

import asyncio
import itertools
import threading
from typing import List

import aiohttp
from aiohttp import web


class _LoopThread:
    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def call(self, coroutine, timeout: float = 30):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)


class ServerThread(_LoopThread):
    """A fake service (Slack's Web API, the Bot Framework...) on its own loop:
    ``make()`` builds an object whose ``server`` is an aiohttp TestServer."""

    def __init__(self, make):
        super().__init__()

        async def start():
            fake = make()
            await fake.server.start_server()
            return fake

        self.fake = self.call(start())

    def close(self) -> None:
        self.call(self.fake.server.close())
        super().close()


class TcpRelay(_LoopThread):
    """127.0.0.1:<port> -> target; ``cut()`` drops every connection and refuses new ones."""

    def __init__(self, port: int, target_host: str, target_port: int):
        super().__init__()
        self.port, self.target = port, (target_host, target_port)
        self.writers: List[asyncio.StreamWriter] = []
        self.server = None
        self.restore()

    async def _pipe(self, reader, writer):
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def _handle(self, client_reader, client_writer):
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        except OSError:
            client_writer.close()
            return
        self.writers += [client_writer, upstream_writer]
        await asyncio.gather(self._pipe(client_reader, upstream_writer), self._pipe(upstream_reader, client_writer))

    async def _start(self):
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)

    async def _cut(self):
        self.server.close()
        await self.server.wait_closed()
        for writer in self.writers:
            writer.close()
        self.writers.clear()

    def restore(self) -> None:
        self.call(self._start())

    def cut(self) -> None:
        self.call(self._cut())


class Balancer(_LoopThread):
    """Round-robin HTTP proxy: each request goes to the next backend."""

    def __init__(self, port: int, backends: List[str]):
        super().__init__()
        self.port, self.backends = port, itertools.cycle(backends)
        self.runner = None
        self.call(self._start())

    async def _forward(self, request: web.Request) -> web.Response:
        backend = next(self.backends)
        async with aiohttp.ClientSession() as session:
            async with session.request(
                request.method,
                backend + request.path_qs,
                data=await request.read(),
                headers={
                    name: request.headers[name] for name in ("Content-Type", "Authorization") if name in request.headers
                },
                timeout=aiohttp.ClientTimeout(total=120),
            ) as reply:
                return web.Response(
                    status=reply.status,
                    body=await reply.read(),
                    headers={"Content-Type": reply.headers.get("Content-Type", ""), "X-Backend": backend},
                )

    async def _start(self):
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()

    def close(self) -> None:
        self.call(self.runner.cleanup())
        super().close()
