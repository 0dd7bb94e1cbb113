"""Documents attached to an order (a signed contract, a site survey): one command, one read.

Files live under MEDIA_ROOT and are never served publicly: the console's download view checks
the user's permission and then streams the file (ordersite.console.views.orders.order_document).
"""

from __future__ import annotations

from pathlib import PurePath

from django.core.exceptions import PermissionDenied
from django.db import transaction

from customers.models import User
from orders.models import Order, OrderDocument
from orders.services import ActionRefused

MAX_DOCUMENT_BYTES = 10 * 2**20
ALLOWED_EXTENSIONS = ("pdf", "png", "jpg", "jpeg", "txt", "docx", "xlsx")
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "txt": "text/plain",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def extension_of(name: str) -> str:
    return PurePath(name or "").suffix.lower().lstrip(".")


@transaction.atomic
def attach_document(order: Order, *, by: User, kind: str, file, description: str = "") -> OrderDocument:
    """Keep a document with the order (any state: a contract may arrive after completion)."""
    if not by.has_perm("orders.add_orderdocument"):
        raise PermissionDenied
    if kind not in OrderDocument.Kind.values:
        raise ActionRefused("Choose what kind of document this is.")
    if extension_of(file.name) not in ALLOWED_EXTENSIONS:
        raise ActionRefused(f"Attach a {', '.join(e.upper() for e in ALLOWED_EXTENSIONS)} file.")
    if file.size > MAX_DOCUMENT_BYTES:
        raise ActionRefused(f"The file is larger than {MAX_DOCUMENT_BYTES // 2**20} MB.")
    if file.size == 0:
        raise ActionRefused("The file is empty.")
    return OrderDocument.objects.create(
        order=order, kind=kind, file=file, description=description.strip(), uploaded_by=by
    )


def content_type_of(document: OrderDocument) -> str:
    return CONTENT_TYPES.get(extension_of(document.file.name), "application/octet-stream")
