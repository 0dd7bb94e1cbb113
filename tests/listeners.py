"""A real webhook listener for tests: an HTTP(S) server on loopback that records what reaches it.

listener = Listener()                           # answers 201 to every POST
listener = Listener(failures=1)                 # answers 503 first, then 201
listener = Listener(status=302, headers={"Location": other.url})
listener = Listener(tls=server_context)         # HTTPS, with the certificate in that ssl context
...
listener.received                               # the JSON bodies it accepted
listener.requests                               # every request: (path, headers), accepted or not
listener.close()
"""

from __future__ import annotations

import json
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Listener:
    def __init__(
        self,
        failures: int = 0,
        *,
        status: int = 201,
        headers: dict[str, str] | None = None,
        host: str = "127.0.0.1",
        tls: ssl.SSLContext | None = None,
    ):
        self.received: list[dict] = []
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.failures = failures
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length)) if length else {}
                listener.requests.append((self.path, dict(self.headers)))
                if listener.failures > 0:
                    listener.failures -= 1
                    self.send_response(503)
                else:
                    if 200 <= status < 300:
                        listener.received.append(body)
                    self.send_response(status)
                    for name, value in (headers or {}).items():
                        self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST  # a client that followed a 302 would come back with GET

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((host, 0), Handler)
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_port
        self.url = f"{'https' if tls else 'http'}://{host}:{self.port}/events"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
