"""Schema errors -> located problems: each pydantic error mapped back to the YAML
node's file, line and column, with the allowed keys for an unknown one."""

from __future__ import annotations

import typing
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from svadvisor.errors import Problem
from svadvisor.rulepack import conditions as cond
from svadvisor.suggest import did_you_mean
from svadvisor.yamlfile import PathKey, YamlDocument, YamlProblem, load_yaml_file

ModelT = TypeVar("ModelT", bound=BaseModel)


def validate_document(
    doc: YamlDocument, schema: type[ModelT]
) -> tuple[ModelT | None, list[Problem]]:
    """Check one YAML document against a schema: the model, or every problem located."""
    try:
        return schema.model_validate(doc.data), []
    except ValidationError as exc:
        return None, list(schema_problems(exc, doc, schema))


def read_document(
    path: Path, schema: type[ModelT], problems: list[Problem], display: str | None = None
) -> tuple[YamlDocument | None, ModelT | None]:
    """Read one YAML file and check it against `schema`, adding every problem (YAML that
    does not read, fields the schema refuses) to `problems`, located. The document is
    None when the YAML did not read; the model is None when it did not validate."""
    try:
        doc = load_yaml_file(path, display)
    except YamlProblem as exc:
        problems.append(exc.problem)
        return None, None
    model, found = validate_document(doc, schema)
    problems.extend(found)
    return doc, model


def schema_problems(
    exc: ValidationError, doc: YamlDocument, schema: type[BaseModel]
) -> Iterator[Problem]:
    """pydantic's errors as located problems; the case library reads its files the same way."""
    for error in exc.errors():
        path = _data_path(error["loc"], doc.data)
        kind = error["type"]
        if kind == "extra_forbidden":
            allowed = _allowed_keys(schema, path[:-1], doc.data)
            hint = f"; allowed keys: {', '.join(allowed)}" if allowed else ""
            near = did_you_mean(str(path[-1]), allowed)
            yield doc.problem(path, f"unknown key {path[-1]!r}{near}{hint}", at_key=True)
        elif kind == "missing":
            yield doc.problem(path, "missing required field")
        else:
            value = _value_at(doc.data, path)
            shown = f" (got {value!r})" if isinstance(value, str | int | float) else ""
            yield doc.problem(path, _plain(error["msg"]) + shown)


def _plain(message: str) -> str:
    message = message.removeprefix("Value error, ")
    return message[:1].lower() + message[1:]


def _data_path(loc: Iterable[int | str], data: Any) -> PathKey:
    """Map pydantic's `loc` onto the data, dropping union tags that are not real keys."""
    loc = list(loc)
    path: list[str | int] = []
    node = data
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        in_dict = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_dict or in_list:
            path.append(part)
            node = node[part]
        elif last and isinstance(part, str) and not part.startswith(("function-", "union")):
            path.append(part)
    return tuple(path)


def _value_at(data: Any, path: PathKey) -> Any:
    node = data
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def _allowed_keys(schema: type[BaseModel], path: PathKey, data: Any) -> list[str]:
    """The keys a mapping at `path` may hold, found by walking the schema beside the data."""
    annotation: Any = schema
    node = data
    for part in path:
        if isinstance(part, int):
            node = node[part] if isinstance(node, list) and part < len(node) else None
            continue
        model = _model_for(annotation, node)
        field = None
        if model is not None:
            field = model.model_fields.get(part) or next(
                (f for f in model.model_fields.values() if f.alias == part), None
            )
        if field is None:
            return []
        annotation = field.annotation
        node = node.get(part) if isinstance(node, dict) else None
    model = _model_for(annotation, node)
    if model is None:
        return []
    return [f.alias or name for name, f in model.model_fields.items()]


def _model_for(annotation: Any, node: Any) -> type[BaseModel] | None:
    """The model class that validates `node`, unwrapping list[...], X | None and conditions."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if annotation == cond.Condition:
        kinds: dict[str, type[BaseModel]] = {
            "question": cond.Leaf,
            "all": cond.AllOf,
            "any": cond.AnyOf,
            "not": cond.Not,
            "starts": cond.StartDate,
        }
        return kinds.get(cond.kind_of(node) or "")
    for arg in typing.get_args(annotation):
        found = _model_for(arg, node)
        if found is not None:
            return found
    return None
