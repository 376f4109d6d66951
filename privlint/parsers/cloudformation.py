"""CloudFormation templates (YAML or JSON) into plain mappings with line numbers.

Short-form intrinsic tags (``!Ref``, ``!Sub``, ``!GetAtt``...) become their long form
(``{"Ref": ...}``, ``{"Fn::Sub": ...}``), the shape checkov's parser and JSON templates use,
so one normaliser handles every spelling. The loader is PyYAML's safe loader: it never
constructs Python objects, and alias-heavy documents ("billion laughs") are refused.
"""

from __future__ import annotations

from typing import Any

import yaml

from privlint.parsers import jsonpos
from privlint.core.values import LineDict

MAX_ALIASES = 200

_INTRINSICS = {
    "Ref": "Ref",
    "Condition": "Condition",
    "GetAtt": "Fn::GetAtt",
    "Sub": "Fn::Sub",
    "Join": "Fn::Join",
    "If": "Fn::If",
    "Select": "Fn::Select",
    "Split": "Fn::Split",
    "FindInMap": "Fn::FindInMap",
    "ImportValue": "Fn::ImportValue",
    "Base64": "Fn::Base64",
    "Cidr": "Fn::Cidr",
    "GetAZs": "Fn::GetAZs",
    "Equals": "Fn::Equals",
    "And": "Fn::And",
    "Or": "Fn::Or",
    "Not": "Fn::Not",
    "Transform": "Fn::Transform",
    "Length": "Fn::Length",
    "ToJsonString": "Fn::ToJsonString",
    "ForEach": "Fn::ForEach",
}


class TemplateError(ValueError):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


class _Loader(yaml.SafeLoader):
    """Safe loader + CloudFormation tags + line numbers + an alias budget."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.alias_count = 0

    def compose_node(self, parent: Any, index: Any) -> Any:  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            self.alias_count += 1
            if self.alias_count > MAX_ALIASES:
                event = self.peek_event()
                raise TemplateError(f"more than {MAX_ALIASES} YAML aliases: refusing a possible alias bomb", event.start_mark.line + 1)
        return super().compose_node(parent, index)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> LineDict:  # type: ignore[override]
        self.flatten_mapping(node)
        out = LineDict(line=node.start_mark.line + 1)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise TemplateError("a mapping key is not a plain value", key_node.start_mark.line + 1) from None
            value = self.construct_object(value_node, deep=True)
            if isinstance(value, LineDict) and isinstance(value_node, yaml.MappingNode) and value_node.flow_style is not True:
                # A block mapping's own line is the line after its key; point at the key instead.
                value.line = key_node.start_mark.line + 1
            out[key] = value
        return out


def _intrinsic(long_name: str) -> Any:
    def construct(loader: _Loader, node: yaml.Node) -> Any:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if long_name == "Fn::GetAtt" and isinstance(value, str):
                value = value.split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
        return LineDict({long_name: value}, line=node.start_mark.line + 1)

    return construct


for _short, _long in _INTRINSICS.items():
    _Loader.add_constructor(f"!{_short}", _intrinsic(_long))
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _Loader.construct_mapping)


def _other_tag(loader: _Loader, tag_suffix: str, node: yaml.Node) -> Any:
    """Tags of other tools (``!Rain::Embed``, ``!ValueOf``): a value privlint cannot know."""
    return LineDict({f"Fn::Tag!{tag_suffix}": None}, line=node.start_mark.line + 1)


def _python_tag(loader: _Loader, tag_suffix: str, node: yaml.Node) -> Any:
    raise TemplateError(f"refusing the Python object tag !!python/{tag_suffix}", node.start_mark.line + 1)


_Loader.add_multi_constructor("!", _other_tag)
_Loader.add_multi_constructor("tag:yaml.org,2002:python/", _python_tag)


def load_yaml(text: str) -> Any:
    """Load YAML (first document) with CloudFormation tags. Raises TemplateError with a line."""
    try:
        loader = _Loader(text)  # the reader rejects control characters here, before parsing
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        raise TemplateError(f"invalid YAML: character {exc.character!r} is not allowed", line) from None
    try:
        return loader.get_single_data()
    except TemplateError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        reason = exc.problem or exc.context or "invalid YAML"
        raise TemplateError(f"invalid YAML: {reason}", mark.line + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        raise TemplateError(f"invalid YAML: {exc}", None) from None
    except RecursionError:
        raise TemplateError("YAML nested too deeply", None) from None
    except (ValueError, TypeError) as exc:  # e.g. an impossible date such as 2026-13-01
        raise TemplateError(f"invalid YAML value: {exc}"[:200], None) from None
    finally:
        loader.dispose()


def load_template(text: str, is_json: bool) -> Any:
    """Load a template's text. JSON goes through the line-aware JSON reader."""
    if is_json:
        try:
            return jsonpos.loads(text)
        except jsonpos.JsonError as exc:
            raise TemplateError(f"invalid JSON: {exc.reason}", exc.line) from None
    return load_yaml(text)


def looks_like_template(doc: Any) -> bool:
    """A CloudFormation (or SAM) template: a Resources mapping whose entries have an AWS-like Type."""
    if not isinstance(doc, dict):
        return False
    if "AWSTemplateFormatVersion" in doc:
        return True
    resources = doc.get("Resources")
    if not isinstance(resources, dict) or not resources:
        return False
    types = [r.get("Type") for r in resources.values() if isinstance(r, dict)]
    return any(isinstance(t, str) and "::" in t for t in types)
