"""Swagger UI for the API, served from the sidecar's local files (no CDN).

The policy forbids inline scripts: the split view loads its initialiser as a separate script, so
the one exemption this page needs is the hash of the template's small inline <style> block.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import drf_spectacular
from csp.decorators import csp_update
from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularSwaggerSplitView

TEMPLATE = Path(drf_spectacular.__file__).parent / "templates" / "drf_spectacular" / "swagger_ui.html"


def inline_style_hashes() -> list[str]:
    blocks = re.findall(r"<style>(.*?)</style>", TEMPLATE.read_text(), re.S)
    return [f"'sha256-{base64.b64encode(hashlib.sha256(b.encode()).digest()).decode()}'" for b in blocks]


@method_decorator(csp_update({"style-src": inline_style_hashes()}), name="dispatch")
class SwaggerUI(SpectacularSwaggerSplitView):
    """/tmf-api/docs: the OpenAPI document rendered for humans."""
