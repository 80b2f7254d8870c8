"""Shared by every resource: the base models, a person as shown, and 202's answer."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Schema(BaseModel):
    # Validators and serializers are built when a model is first used rather than when the
    # module loads: a cold start pays only for the models of the route it serves.
    model_config = ConfigDict(defer_build=True)


class Request(Schema):
    model_config = ConfigDict(extra="forbid")


class PersonOut(Schema):
    id: str
    name: str


class UnderWay(Schema):
    """202: the change is made but not finished everywhere; send the same request again."""

    detail: str
