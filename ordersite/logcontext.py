"""Log context: a request id (and the order being worked on) on every log line, and the log formats.

`RequestIdMiddleware` (outermost) takes a sane incoming `X-Request-ID` or makes one, keeps it in a
context variable for the rest of the request and returns it as the `X-Request-ID` response header.
`ContextFilter`, on every handler, copies the request id and the order number onto each record, so
the formatters can print them. In a Celery worker the task id is the request id (orders/metrics.py
sets it from the `task_prerun` signal). Views and tasks call `bind_order(number)` once they know
which order they work on.

`LOG_FORMAT=json` writes one JSON object per line (time, level, logger, message, request_id, order,
and any `extra=` fields); `LOG_FORMAT=text` writes a line for people. See LOGGING in settings.
"""

from __future__ import annotations

import contextvars
import logging
import re
import uuid

from django.core.signals import request_finished
from django.dispatch import receiver
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

REQUEST_ID_HEADER = "X-Request-ID"
# What we accept from a client or proxy: short, and nothing that could break a log line or a header.
SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
order_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("order", default=None)


def new_request_id() -> str:
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    return request_id_var.get()


def bind_order(number: str | None) -> None:
    """Name the order the current request or task works on, in every log line from now on."""
    order_var.set(str(number) if number else None)


def bind_request_id(request_id: str | None) -> None:
    request_id_var.set(request_id)


def clear() -> None:
    request_id_var.set(None)
    order_var.set(None)


class RequestIdMiddleware:
    """Outermost layer: every request gets an id, in the logs and in the `X-Request-ID` response header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if SANE_REQUEST_ID.match(incoming) else new_request_id()
        request.request_id = request_id
        # Set, not reset afterwards: Django logs a 4xx/5xx response ("Not Found: /x") after the whole
        # middleware chain has returned. The ids are cleared when the response is closed (below), and
        # each request sets its own anyway.
        request_id_var.set(request_id)
        order_var.set(None)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


@receiver(request_finished, dispatch_uid="ordersite.logcontext.clear")
def _clear_after_request(sender, **kwargs):
    clear()


class ContextFilter(logging.Filter):
    """Puts `request_id` and `order` on every record (None outside a request or task); never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id_var.get()
        if getattr(record, "order", None) is None:
            record.order = order_var.get()
        return True


class JsonFormatter(_JsonFormatter):
    """One JSON object a line: time, level, logger, message, request_id, order, then any extras.

    Django's request logger passes the request object as an extra; its path is in the message already.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("fmt", ["levelname", "name", "message", "request_id", "order"])
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        kwargs.setdefault("timestamp", "time")
        kwargs.setdefault("reserved_attrs", [*RESERVED_ATTRS, "request"])
        super().__init__(*args, **kwargs)

    def process_log_record(self, log_data):
        # The time first, as people reading a raw log expect it.
        return {"time": log_data.pop("time", None), **log_data}


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(context)s] %(message)s"


class TextFormatter(logging.Formatter):
    """The developer console: one readable line, with the request id (and order) in brackets."""

    def __init__(self, fmt: str | None = None, *args, **kwargs):
        super().__init__(fmt or TEXT_FORMAT, *args, **kwargs)

    def format(self, record: logging.LogRecord) -> str:
        parts = [getattr(record, "request_id", None) or "-", getattr(record, "order", None)]
        record.context = " ".join(part for part in parts if part)
        return super().format(record)
