"""The floor reference: an aiohttp server that answers the REST channel's and the
tracker's addresses at once, doing nothing. ``python -m bench.noop_server --port N``."""

import argparse

from aiohttp import web


async def webhook(request: web.Request) -> web.Response:
    body = await request.json()
    return web.json_response([{"recipient_id": body.get("sender"), "text": "ok"}])


async def tracker(request: web.Request) -> web.Response:
    return web.json_response({"sender_id": request.match_info["sender"], "slots": {}, "active_loop": {}})


async def health(request: web.Request) -> web.Response:
    return web.Response(text="ok")


def app() -> web.Application:
    application = web.Application()
    application.add_routes(
        [
            web.post("/webhooks/rest/webhook", webhook),
            web.get("/conversations/{sender}/tracker", tracker),
            web.get("/", health),
        ]
    )
    return application


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    web.run_app(app(), host="127.0.0.1", port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
