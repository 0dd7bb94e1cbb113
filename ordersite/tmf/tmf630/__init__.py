"""TMF630 API design guidelines, shared by every TM Forum API we serve.

Authentication and permission (bearer-token API clients) and the throttle, the Error body and the
exception handler, strict JSON parsers and field types, dates, `fields=`, attribute filters and
paging, the base view, the OpenAPI hooks and the docs page.
"""
