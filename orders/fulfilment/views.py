"""The callback downstream systems report task progress through, signed with a shared secret."""

import hashlib
import hmac
import json

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from orders.fulfilment import orchestration
from orders.models import FulfilmentTask

MAX_BODY_BYTES = 16 * 1024


def _signature_ok(request) -> bool:
    expected = hmac.new(settings.FULFILMENT_CALLBACK_SECRET.encode(), request.body, hashlib.sha256).hexdigest()
    given = request.headers.get("X-Signature", "").removeprefix("sha256=")
    return hmac.compare_digest(expected, given)


@csrf_exempt  # machine-to-machine: authenticated by the HMAC signature instead of a session
@require_POST
def task_callback(request):
    """{"task": "TSK-00000042", "status": "completed" | "failed", "message": "...", "reference": "..."}"""
    if len(request.body) > MAX_BODY_BYTES:
        return JsonResponse({"error": "body too large"}, status=413)
    if not _signature_ok(request):
        return JsonResponse({"error": "bad or missing X-Signature"}, status=403)
    try:
        report = json.loads(request.body)
        reference, status = str(report["task"]), report["status"]
        task_id = int(reference.removeprefix("TSK-"))
    except (ValueError, KeyError, TypeError, RecursionError):
        return JsonResponse({"error": 'expected {"task": "TSK-…", "status": "completed"|"failed"}'}, status=400)
    if status not in ("completed", "failed"):
        return JsonResponse({"error": "status must be completed or failed"}, status=400)
    task = FulfilmentTask.objects.filter(pk=task_id).first()
    if task is None:
        return JsonResponse({"error": f"unknown task {reference}"}, status=404)
    changed = orchestration.record_task_result(
        task,
        succeeded=status == "completed",
        message=str(report.get("message", ""))[:500],
        reference=str(report.get("reference", ""))[:80],
    )
    return JsonResponse({"task": reference, "accepted": changed})
