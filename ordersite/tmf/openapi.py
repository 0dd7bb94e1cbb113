"""The OpenAPI document of /tmf-api/: every API's response components (SPECTACULAR_SETTINGS' hook)."""

from __future__ import annotations

from ordersite.tmf.tmf620 import openapi as tmf620
from ordersite.tmf.tmf622 import openapi as tmf622
from ordersite.tmf.tmf629 import openapi as tmf629
from ordersite.tmf.tmf630 import openapi as tmf630
from ordersite.tmf.tmf637 import openapi as tmf637
from ordersite.tmf.tmf679 import openapi as tmf679

add_components = tmf630.components_hook(
    tmf630.COMPONENTS, tmf622.COMPONENTS, tmf620.COMPONENTS, tmf629.COMPONENTS, tmf637.COMPONENTS, tmf679.COMPONENTS
)
