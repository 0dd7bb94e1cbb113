"""The callback downstream systems report task progress through, each signing with its own secret."""

import json

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from orders.fulfilment import orchestration, signatures
from orders.models import FulfilmentTask
from ordersite.middleware import unstorable_character

MAX_BODY_BYTES = 16 * 1024


@csrf_exempt  # machine-to-machine: authenticated by the HMAC signature instead of a session
@require_POST
def task_callback(request, system: str):
    """POST /fulfilment/callback/<system>, signed with that system's secret (X-Signature: sha256=<hex>):
    {"task": "TSK-00000042", "status": "completed" | "failed", "message": "...", "reference": "..."}"""
    if len(request.body) > MAX_BODY_BYTES:
        return JsonResponse({"error": "body too large"}, status=413)
    if system not in signatures.DOWNSTREAM_SYSTEMS:
        return JsonResponse({"error": f"unknown downstream system {system!r}"}, status=403)
    if not signatures.signed_by(system, request.body, request.headers.get("X-Signature", "")):
        return JsonResponse({"error": f"bad or missing X-Signature for {system}"}, status=403)
    try:
        report = json.loads(request.body)
        reference, status = str(report["task"]), report["status"]
        task_id = int(reference.removeprefix("TSK-"))
        if not 0 < task_id < 2**63:  # beyond any row id: the database would fail on it
            raise ValueError(reference)
    except (ValueError, KeyError, TypeError, RecursionError):
        return JsonResponse({"error": 'expected {"task": "TSK-…", "status": "completed"|"failed"}'}, status=400)
    if status not in ("completed", "failed"):
        return JsonResponse({"error": "status must be completed or failed"}, status=400)
    message, their_reference = str(report.get("message", ""))[:500], str(report.get("reference", ""))[:80]
    for name, text in (("message", message), ("reference", their_reference)):
        if unstorable_character(text):
            return JsonResponse({"error": f"{name} contains {unstorable_character(text)}"}, status=400)
    task = FulfilmentTask.objects.filter(pk=task_id).first()
    if task is None:
        return JsonResponse({"error": f"unknown task {reference}"}, status=404)
    if task.system != system:
        # A system reports on its own tasks only: one leaked secret cannot move another system's work.
        return JsonResponse({"error": f"task {reference} is not {system}'s"}, status=403)
    changed = orchestration.record_task_result(
        task,
        succeeded=status == "completed",
        message=message,
        reference=their_reference,
    )
    return JsonResponse({"task": reference, "accepted": changed})
