"""A running Vigie for tests and benchmarks: free ports, the REST client of a started stack."""

import json
import socket
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "vigie.tar.gz"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Vigie:
    """A running Vigie, spoken to through the REST channel, like a user."""

    def __init__(self, env: dict, log_path: Path):
        self.env = env
        self.log_path = log_path
        self.rasa = f"http://127.0.0.1:{env['VIGIE_RASA_PORT']}"
        self.web = f"http://127.0.0.1:{env['VIGIE_WEB_PORT']}"

    def _request(self, url: str, body=None, headers=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            url, data=data, headers={"Content-Type": "application/json", **(headers or {})}
        )
        with urllib.request.urlopen(request, timeout=60) as reply:
            return json.loads(reply.read() or b"null")

    @property
    def rest_headers(self) -> dict:
        """The REST channel serves only server-side clients holding its token."""
        return {"Authorization": f"Bearer {self.env['VIGIE_REST_TOKEN']}"}

    def say(self, sender: str, text: str) -> list:
        return self._request(
            f"{self.rasa}/webhooks/rest/webhook", {"sender": sender, "message": text}, self.rest_headers
        )

    def tracker(self, sender: str) -> dict:
        return self._request(f"{self.rasa}/conversations/{sender}/tracker", headers=self.rasa_headers)

    @property
    def rasa_headers(self) -> dict:
        """Rasa's HTTP API token: in the header, never in the address."""
        return {"Authorization": f"Bearer {self.env['VIGIE_RASA_TOKEN']}"}

    def delivered(self) -> list:
        """What the fake authority received (``bot.fake_authority``)."""
        url = f"http://127.0.0.1:{self.env['VIGIE_AUTHORITY_PORT']}/_control/received"
        return self._request(url)["deliveries"]

    def delivered_for(self, reference: str, kind: str = "", timeout: float = 30) -> list:
        """The bodies the fake authority received for ``reference`` (of ``kind`` if given), once some came."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            bodies = [
                d["body"] for d in self.delivered() if d["reference"] == reference and d["kind"] == (kind or d["kind"])
            ]
            if bodies:
                return bodies
            time.sleep(0.5)
        raise AssertionError(f"nothing{' ' + kind if kind else ''} for {reference} reached the authority")

    def declaration(self, reference: str) -> dict:
        return self._request(
            f"{self.web}/api/declarations/{reference}",
            headers={"Authorization": f"Bearer {self.env['VIGIE_API_TOKEN']}"},
        )
