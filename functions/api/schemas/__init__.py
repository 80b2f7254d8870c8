"""Request and response bodies of the JSON API (snake_case), as pydantic models, per resource.

They document themselves in /api/openapi.json. Requests refuse unknown fields (``Request``).
"""
