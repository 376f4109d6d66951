"""CloudFormation templates (YAML or JSON) into plain mappings with line numbers.

Short-form intrinsic tags (``!Ref``, ``!Sub``, ``!GetAtt``...) become their long form
(``{"Ref": ...}``, ``{"Fn::Sub": ...}``), the shape checkov's parser and JSON templates use,
so one normaliser handles every spelling. The loader is PyYAML's safe loader: it never
constructs Python objects, and alias-heavy documents ("billion laughs") are refused.
"""

from __future__ import annotations

from typing import Any

import yaml

from privlint.model.problems import SourceError
from privlint.model.values import LineDict
from privlint.parsers import jsonpos, yaml_lines
from privlint.parsers.yaml_lines import YamlError

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


class TemplateError(SourceError):
    pass


class _Loader(yaml_lines.LineLoader):
    """The shared line-aware loader plus CloudFormation's short intrinsic-function tags."""


def _intrinsic(long_name: str) -> Any:
    def construct(loader: _Loader, node: yaml.Node) -> Any:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if long_name == "Fn::GetAtt" and isinstance(value, str):
                value = value.split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            assert isinstance(node, yaml.MappingNode)  # PyYAML composes nothing but scalars, sequences and mappings
            value = loader.construct_mapping(node, deep=True)
        return LineDict({long_name: value}, line=node.start_mark.line + 1)

    return construct


for _short, _long in _INTRINSICS.items():
    _Loader.add_constructor(f"!{_short}", _intrinsic(_long))


def _other_tag(loader: _Loader, tag_suffix: str, node: yaml.Node) -> Any:
    """Tags of other tools (``!Rain::Embed``, ``!ValueOf``): a value privlint cannot know."""
    return LineDict({f"Fn::Tag!{tag_suffix}": None}, line=node.start_mark.line + 1)


def _python_tag(loader: _Loader, tag_suffix: str, node: yaml.Node) -> Any:
    raise YamlError(f"refusing the Python object tag !!python/{tag_suffix}", node.start_mark.line + 1)


_Loader.add_multi_constructor("!", _other_tag)
_Loader.add_multi_constructor("tag:yaml.org,2002:python/", _python_tag)


def load_yaml(text: str) -> Any:
    """Load YAML (first document) with CloudFormation tags. Raises TemplateError with a line."""
    try:
        return yaml_lines.load(text, _Loader)
    except YamlError as exc:
        raise TemplateError(str(exc), exc.line) from None


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
    return any(isinstance(t, str) and "::" in t for t in _resource_types(resources))


def _resource_types(resources: dict[str, Any], depth: int = 0) -> list[Any]:
    """The ``Type`` of each resource, including those written inside ``Fn::ForEach`` loops."""
    types = []
    for key, resource in resources.items():
        if isinstance(resource, dict):
            types.append(resource.get("Type"))
        elif _is_loop(key, resource) and depth < 8:
            types.extend(_resource_types(resource[2], depth + 1))
    return types


def _is_loop(key: Any, value: Any) -> bool:
    return isinstance(key, str) and key.startswith("Fn::ForEach::") and isinstance(value, list) and len(value) == 3 and isinstance(value[2], dict)
