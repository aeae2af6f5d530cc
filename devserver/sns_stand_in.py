"""A stand-in for SNS's Publish, so `make dev` shows the operator's notifications.

The reports function tells the operator of a report on the stack's SNS topic
(repository/report_notifier.py). Locally there is no topic: the devserver starts this
tiny server on the loopback and points every function's SNS client at it
(AWS_ENDPOINT_URL_SNS, which botocore reads by itself), so the function runs its real
code path and the console shows what a subscriber would get:

    Report notification: Link 7cp2Xhz reported: phishing
      The short link 7cp2Xhz was reported as phishing.
      ...

It answers Publish as SNS does (the query protocol's XML) and refuses anything else.
"""

from __future__ import annotations

import sys
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

LOOPBACK = "127.0.0.1"
_PUBLISHED = """<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
  <PublishResult><MessageId>{message_id}</MessageId></PublishResult>
  <ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata>
</PublishResponse>"""
_REFUSED = """<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
  <Error><Type>Sender</Type><Code>InvalidAction</Code><Message>{message}</Message></Error>
  <RequestId>{request_id}</RequestId>
</ErrorResponse>"""


@dataclass
class SnsStandIn:
    server: ThreadingHTTPServer
    thread: threading.Thread

    @property
    def endpoint_url(self) -> str:
        return f"http://{LOOPBACK}:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def start_sns_stand_in(show: Callable[[str], None] | None = None) -> SnsStandIn:
    """Serve Publish on a free loopback port until stopped; each message goes to `show`
    (the console by default)."""
    say = show or (lambda text: print(text, flush=True))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            form = parse_qs(self.rfile.read(length).decode("utf-8"), keep_blank_values=True)
            fields = {name: values[0] for name, values in form.items()}
            request_id = str(uuid.uuid4())
            if fields.get("Action") != "Publish":
                action = fields.get("Action", "none")
                self._answer(
                    400,
                    _REFUSED.format(
                        message=f"only Publish here, not {action}", request_id=request_id
                    ),
                )
                return
            message = fields.get("Message", "")
            say(
                f"Report notification: {fields.get('Subject', '(no subject)')}\n"
                + "\n".join(f"  {line}" for line in message.splitlines())
            )
            self._answer(200, _PUBLISHED.format(message_id=uuid.uuid4(), request_id=request_id))

        def _answer(self, status: int, body: str) -> None:
            raw = body.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def log_message(self, format: str, *args: object) -> None:
            pass  # the notification itself is the line worth printing

    server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
    thread = threading.Thread(target=server.serve_forever, name="sns-stand-in", daemon=True)
    thread.start()
    return SnsStandIn(server, thread)


if __name__ == "__main__":  # pragma: no cover - a manual check: python -m devserver.sns_stand_in
    stand_in = start_sns_stand_in()
    print(f"SNS stand-in at {stand_in.endpoint_url}", file=sys.stderr)
    stand_in.thread.join()
