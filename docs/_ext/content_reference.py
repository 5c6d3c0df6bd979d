"""The content-authoring reference, generated from the pydantic models.

``content_reference`` is a directive that renders, for every file in
:data:`nextround.content.FILES`, the fields its model accepts: name, type,
whether it is required, its default and its rules. Written at build time
from the models themselves, the reference cannot drift from what
``nextround check-content`` enforces.
"""

from __future__ import annotations

import inspect
import re
import types
import typing
from typing import Any, get_args, get_origin

from docutils import nodes
from docutils.statemachine import StringList
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined
from sphinx.util.docutils import SphinxDirective

from nextround import content as content_module


def type_name(annotation: Any) -> str:
    """A short, readable name for a field's type, linking to nested models by name."""
    origin = get_origin(annotation)
    args = get_args(annotation)
    if origin is typing.Annotated:
        return type_name(args[0])
    if origin in (list, tuple):
        return f"list of {type_name(args[0])}" if args else "list"
    if origin is dict:
        return f"mapping of {type_name(args[0])} to {type_name(args[1])}"
    if origin is typing.Literal:
        return "one of " + ", ".join(f"`{a}`" for a in args)
    if origin in (typing.Union, types.UnionType):
        names = [type_name(a) for a in args if a is not type(None)]
        optional = " (or empty)" if type(None) in args else ""
        return " or ".join(names) + optional
    if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
        return f"[{annotation.__name__}](#{anchor(annotation)})"
    return {str: "text", int: "whole number", float: "number", bool: "yes/no"}.get(
        annotation, getattr(annotation, "__name__", str(annotation)))


def anchor(model: type[BaseModel]) -> str:
    return "model-" + model.__name__.lower()


def rules(info: FieldInfo) -> str:
    """The constraints pydantic checks on a field, in words."""
    words = []
    for item in [*info.metadata, *_annotated_metadata(info.annotation)]:
        for attr, text in (("min_length", "at least {} long"), ("max_length", "at most {} long"),
                           ("ge", "at least {}"), ("le", "at most {}"),
                           ("gt", "more than {}"), ("lt", "less than {}"),
                           ("pattern", "matches `{}`")):
            value = getattr(item, attr, None)
            if value is not None:
                words.append(text.format(value))
    words = ["not empty" if w == "at least 1 long" else w for w in words]
    return "; ".join(dict.fromkeys(words))


def _annotated_metadata(annotation: Any) -> list:
    if get_origin(annotation) is typing.Annotated:
        return list(get_args(annotation)[1:])
    return []


def default_of(info: FieldInfo) -> str:
    if info.is_required():
        return "required"
    value = info.default_factory() if info.default_factory is not None else info.default
    if value is PydanticUndefined:
        return "required"
    if isinstance(value, BaseModel):
        return "optional"
    return f"optional, default `{value!r}`" if value not in ("", [], {}, None) else "optional"


def nested_models(model: type[BaseModel], seen: list[type[BaseModel]]) -> None:
    """Every model reachable from ``model``'s fields, in first-seen order."""
    if model in seen:
        return
    seen.append(model)
    for info in model.model_fields.values():
        for found in _models_in(info.annotation):
            nested_models(found, seen)


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in get_args(annotation) for m in _models_in(arg)]


def describe(model: type[BaseModel]) -> str:
    doc = inspect.getdoc(model) or ""
    if doc == inspect.getdoc(content_module.Item) and model is not content_module.Item:
        return ""
    return re.sub(r"``([^`]+)``", r"`\1`", doc)


def model_table(model: type[BaseModel]) -> list[str]:
    lines = [f"({anchor(model)})=", f"### {model.__name__}", ""]
    about = describe(model)
    if about:
        lines += [about, ""]
    lines += ["| Field | Type | | Rules |", "|---|---|---|---|"]
    for name, info in model.model_fields.items():
        key = info.alias or name
        cells = [f"`{key}`", type_name(info.annotation), default_of(info), rules(info)]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    lines.append("")
    return lines


def reference_markdown() -> str:
    """The whole reference as MyST Markdown: files first, then every model they use."""
    lines = ["## Files", "", "| File | Top-level model |", "|---|---|"]
    models: list[type[BaseModel]] = []
    for filename, model in content_module.FILES.items():
        lines.append(f"| `content/{filename}` | [{model.__name__}](#{anchor(model)}) |")
        nested_models(model, models)
    lines += ["", "## Models", "",
              "Unknown keys are refused everywhere, so a misspelt field is reported "
              "instead of ignored.", ""]
    for model in models:
        lines += model_table(model)
    return "\n".join(lines)


class ContentReference(SphinxDirective):
    """``{content-reference}``: the generated content reference, parsed as MyST."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        container = nodes.section()
        container.document = self.state.document
        text = reference_markdown()
        self.state.nested_parse(StringList(text.splitlines(), source="content schema"),
                                self.content_offset, container, match_titles=True)
        return container.children


def setup(app) -> dict[str, Any]:
    app.add_directive("content-reference", ContentReference)
    return {"parallel_read_safe": True, "version": "1"}
