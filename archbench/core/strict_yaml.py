"""Strict YAML loading: duplicate keys, unknown keys and wrong types fail with FILE:LINE.

PyYAML silently keeps the last of two duplicate keys and loses line numbers once a
document is a dict; both hide mistakes in rubrics and configs. Here every node's line is
kept beside the data so that a pydantic validation error can point at the line.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

Location = tuple[Any, ...]
ModelT = TypeVar("ModelT", bound=BaseModel)
# libyaml parses ~25x faster than PyYAML's pure-Python parser (same nodes and marks); the
# wheels on PyPI ship it, a source build without libyaml falls back
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class InputError(ValueError):
    """Bad user input (a data file, a flag). The CLI prints it and exits 2."""

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None):
        self.path = str(path) if path is not None else None
        self.line = line
        where = ""
        if self.path is not None:
            where = f"{self.path}:{line}: " if line else f"{self.path}: "
        super().__init__(f"{where}{message}")


def plain_message(error: BaseException) -> str:
    """An exception's message on one line, without rich console markup (inspect's prerequisite errors carry it)."""
    return " ".join(re.sub(r"\[/?[a-z ]+\]", "", str(error)).split())


def _to_python(
    node: yaml.Node, loader: yaml.SafeLoader, path: str, location: Location, lines: dict[Location, int], first_line: int
) -> Any:
    lines[location] = node.start_mark.line + first_line
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if key in result:
                raise InputError(
                    f"duplicate key '{key}' (first at line {lines[location + (key,)]}); YAML would keep only the last value",
                    path,
                    key_node.start_mark.line + first_line,
                )
            lines[location + (key,)] = key_node.start_mark.line + first_line
            result[key] = _to_python(value_node, loader, path, location + (key,), lines, first_line)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _to_python(item, loader, path, location + (index,), lines, first_line)
            for index, item in enumerate(node.value)
        ]
    return loader.construct_object(node, deep=True)


def parse_yaml(text: str, path: str | Path, first_line: int = 1) -> tuple[Any, dict[Location, int]]:
    """Parse one YAML document; return the data and a map from key path to line number.

    `first_line` shifts line numbers when the YAML is embedded (e.g. front matter).
    """
    loader = None
    try:
        loader = _Loader(text)
        node = loader.get_single_node()
    except yaml.reader.ReaderError as error:  # control characters such as NUL
        line = text.count("\n", 0, error.position) + first_line
        raise InputError(f"invalid YAML: character #x{error.character:04x} is not allowed (binary data?)", path, line) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + first_line if mark else None
        problem = error.problem or str(error)
        raise InputError(f"invalid YAML: {problem}", path, line) from None
    except yaml.YAMLError as error:
        raise InputError(f"invalid YAML: {error}", path) from None
    finally:
        if loader is not None:
            loader.dispose()
    lines: dict[Location, int] = {}
    if node is None:
        return None, lines
    data = _to_python(node, yaml.SafeLoader(""), str(path), (), lines, first_line)
    return data, lines


def read_text(path: str | Path) -> str:
    """Read a UTF-8 data file, turning OS and decoding errors into InputError."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("file not found", path) from None
    except IsADirectoryError:
        raise InputError("is a directory, expected a file", path) from None
    except UnicodeDecodeError as error:
        raise InputError(f"not valid UTF-8 (byte {error.start})", path) from None
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror}", path) from None


def line_of(lines: dict[Location, int], location: Location) -> int | None:
    """Line of the deepest known prefix of `location`."""
    for end in range(len(location), -1, -1):
        if location[:end] in lines:
            return lines[location[:end]]
    return None


def validate(
    model: type[ModelT], data: Any, path: str | Path, lines: dict[Location, int], context: dict[str, Any] | None = None
) -> ModelT:
    """Validate `data` against a pydantic model; errors name the file and line."""
    if data is None:
        raise InputError("empty document", path, 1)
    try:
        return model.model_validate(data, context=context)
    except ValidationError as error:
        # an unknown key usually explains a "Field required" beside it (a typo): name it first
        problems = sorted(error.errors(), key=lambda problem: problem["type"] != "extra_forbidden")
        first = problems[0]
        location = tuple(first["loc"])
        where = ".".join(str(part) for part in location) or "(top level)"
        message = first["msg"]
        if first["type"] == "extra_forbidden":
            message = f"unknown key '{location[-1]}'"
            where = ".".join(str(part) for part in location[:-1]) or "(top level)"
        more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        raise InputError(f"{where}: {message}{more}", path, line_of(lines, location)) from None


def load_model(model: type[ModelT], path: str | Path, context: dict[str, Any] | None = None) -> ModelT:
    """Read, parse and validate one YAML file into `model`."""
    data, lines = parse_yaml(read_text(path), path)
    return validate(model, data, path, lines, context)
