"""Shared by every resource: the base models, a person as shown, and 202's answer."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from forum.content import BODY_MAX


class Schema(BaseModel):
    # Validators and serializers are built when a model is first used rather than when the
    # module loads: a cold start pays only for the models of the route it serves.
    model_config = ConfigDict(defer_build=True)


class Request(Schema):
    model_config = ConfigDict(extra="forbid")


class PersonOut(Schema):
    id: str
    name: str = Field(
        description='The username; "deleted member" for an account deleted since (no username '
        "has a space), which has no page."
    )


class UnderWay(Schema):
    """202: the change is made but not finished everywhere; send the same request again."""

    detail: str


def _json_integer(value: Any) -> Any:
    # JSON's integers, 3 and 3.0 alike, as the schema's "integer" means; not true or "3", which
    # pydantic's lax int would take.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("Input should be a valid integer")
    return value


# A request's whole number: what JSON Schema calls an integer, and nothing else.
Integer = Annotated[int, BeforeValidator(_json_integer)]


# The domain's rules for text (forum.content, forum.profiles, forum.accounts), stated in the
# document for clients and fuzzers. The domain enforces them, with its own messages and field
# names; pydantic keeps only loose bounds against very large input.
_CONTROLS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_LINE_CONTROLS = r"\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
# What a reader does not see: white space and the common invisible format characters.
_INVISIBLE = r"\s\u00ad\u200b-\u200f\u2028-\u202f\u2060-\u2064\ufeff"
# At least one visible character, and no control characters (but tabs and line breaks).
TEXT_PATTERN = f"^[^{_CONTROLS}]*[^{_INVISIBLE}{_CONTROLS}][^{_CONTROLS}]*$"
# The same on one line, without characters that turn the text around.
LINE_PATTERN = f"^[^{_LINE_CONTROLS}]*[^{_INVISIBLE}{_LINE_CONTROLS}][^{_LINE_CONTROLS}]*$"


def at_least_one(*fields: str) -> Any:
    """A change's json_schema_extra: at least one of ``fields`` given, and not null (the domain
    answers 422 "give at least one" to anything less)."""

    def extra(schema: dict[str, Any]) -> None:
        schema["anyOf"] = [
            {"required": [name], "properties": {name: {"not": {"type": "null"}}}} for name in fields
        ]

    return extra


def line(maximum: int) -> dict[str, Any]:
    """A one-line text of 1 to ``maximum`` characters (a title, a name), for json_schema_extra."""
    return {"minLength": 1, "maxLength": maximum, "pattern": LINE_PATTERN}


def text(maximum: int) -> dict[str, Any]:
    """Markdown of 1 to ``maximum`` characters (a post's body), for json_schema_extra."""
    return {"minLength": 1, "maxLength": maximum, "pattern": TEXT_PATTERN}


def post_body(description: str = "Markdown, 1-50,000 characters.") -> Any:
    """A post's body field: Markdown, as every composer sends it."""
    return Field(description=description, json_schema_extra=text(BODY_MAX))
