"""One instance of a Terraform module: its variables, locals, resources, data sources, calls and outputs.

References resolve the way Terraform resolves them: ``var.x`` from the call's arguments, tfvars (root
modules) or the default; ``local.x`` lazily; ``aws_iam_user.u`` to one ``Reference`` per instance
(``aws_iam_user.u[0]``, ``aws_iam_user.u["ben"]``); ``module.m.out`` to the child module's output;
``data.aws_caller_identity`` / ``aws_partition`` / ``aws_region`` to this account, partition and region.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from privlint.model import values as v
from privlint.model.values import LineDict, Reference, Unknown
from privlint.parsers import hcl_syntax_tree as st
from privlint.terraform import operations as ops
from privlint.terraform.expressions import Evaluator, Step, walk
from privlint.terraform.file_functions import FileFunctions, FileReader
from privlint.terraform.instance_keys import for_each_pairs, largest_count
from privlint.terraform.references import references_in
from privlint.terraform.results import ValueOrigin
from privlint.terraform.type_constraints import convert, read_type
from privlint.terraform.value_origins import origin_of

MAX_INSTANCES = 1_000  # count / for_each beyond this is treated as unknown (one instance), and reported
_META_ARGUMENTS = ("source", "version", "providers", "count", "for_each", "depends_on")

# What the AWS provider's identity data sources mean for a static scan.
_DATA_MEANINGS: dict[str, dict[str, str]] = {
    "aws_caller_identity": {"account_id": v.THIS_ACCOUNT_ID, "id": v.THIS_ACCOUNT_ID, "arn": v.DEPLOYING_PRINCIPAL_ARN, "user_id": v.DEPLOYING_PRINCIPAL_ID},
    "aws_partition": {"partition": v.DEFAULT_PARTITION, "id": v.DEFAULT_PARTITION, "dns_suffix": "amazonaws.com"},
    "aws_region": {"name": v.THIS_REGION, "id": v.THIS_REGION, "region": v.THIS_REGION},
}


@dataclass
class SourceBlock:
    file: Path
    block: st.Block


@dataclass
class Instance:
    suffix: str  # "", "[0]" or '["key"]'
    names: dict[str, Any]  # count / each bindings
    enabled_by: str | None = None  # switched off by this input variable, evaluated as if it were on


Argument = tuple[Callable[[], Any], ValueOrigin | None]


class ModuleHost(FileReader, Protocol):
    """What a module instance needs from the loader that reads the configuration (``TerraformLoader``)."""

    root_dir: Path
    include_disabled: bool
    display: Callable[[Path], str]

    def problem(self, file: Path, line: int | None, message: str) -> None: ...

    def local_module(self, caller: ModuleInstance, item: SourceBlock) -> tuple[Path, list[tuple[Path, st.Body]]] | None: ...


class ModuleInstance:
    def __init__(
        self,
        loader: ModuleHost,
        directory: Path,
        files: list[tuple[Path, st.Body]],
        prefix: str,
        arguments: dict[str, Argument],
        depth: int,
        stack: tuple[Path, ...],
        enabled_by: str | None = None,
    ) -> None:
        self.loader = loader
        self.enabled_by = enabled_by  # the whole instance is switched off by this variable
        self.directory = directory
        self.prefix = prefix
        self.arguments = arguments
        self.depth = depth
        self.stack = stack
        self.blocks: list[SourceBlock] = [SourceBlock(path, b) for path, body in files for b in body.blocks]
        self.variables: dict[str, SourceBlock] = {}
        self.locals: dict[str, tuple[Path, st.Attribute]] = {}
        self.resources: dict[str, SourceBlock] = {}  # "aws_iam_role.x" / "data.aws_x.y"
        self.calls: dict[str, SourceBlock] = {}
        self.outputs: dict[str, SourceBlock] = {}
        for item in self.blocks:
            b = item.block
            if b.type == "variable" and b.labels:
                self.variables[b.labels[0]] = item
            elif b.type == "locals":
                for name, attr in b.attributes.items():
                    self.locals[name] = (item.file, attr)
            elif b.type in ("resource", "data") and len(b.labels) >= 2:
                self.resources[f"{'data.' if b.type == 'data' else ''}{b.labels[0]}.{b.labels[1]}"] = item
            elif b.type == "module" and b.labels:
                self.calls[b.labels[0]] = item
            elif b.type == "output" and b.labels:
                self.outputs[b.labels[0]] = item
        self.files = FileFunctions(loader, directory)
        self.evaluator = Evaluator(self)
        self._cache: dict[str, Any] = {}
        self._resolving: set[str] = set()
        self._children: dict[str, list[tuple[Instance, ModuleInstance]] | None] = {}
        self._unknown_counts: dict[int, str] = {}  # block id -> what its unknown count / for_each depends on

    # -- evaluation helpers
    def evaluate(self, expr: st.Expression, file: Path, names: Mapping[str, Any] | None = None) -> Any:
        saved, self.evaluator.file = self.evaluator.file, self.loader.display(file)
        try:
            return self.evaluator.evaluate(expr, names)
        finally:
            self.evaluator.file = saved

    def _once(self, key: str, compute: Callable[[], Any]) -> Any:
        """Evaluate a named value once; a reference cycle is unknown, as Terraform rejects it."""
        if key in self._cache:
            return self._cache[key]
        if key in self._resolving:
            return Unknown(f"cycle through {key}")
        self._resolving.add(key)
        try:
            value = compute()
        finally:
            self._resolving.discard(key)
        self._cache[key] = value
        return value

    # -- the Scope protocol
    def lookup(self, root: str, steps: list[Step], line: int) -> Any:
        if root in ("var", "local", "module") and steps and steps[0][0] == "attr":
            name, rest = steps[0][1], steps[1:]
            if root == "var":
                return walk(self.variable(name), rest)
            if root == "local":
                return walk(self.local(name), rest)
            return walk(self.module_value(name), rest)
        if root == "path" and steps and steps[0][1] in ("module", "root", "cwd"):
            where = self.directory if steps[0][1] == "module" else self.loader.root_dir
            return walk(str(where.resolve()), steps[1:])
        if root == "terraform" and steps and steps[0][1] == "workspace":
            return "default"
        if root in ("count", "each", "self", "terraform", "var", "local", "module", "path"):
            return Unknown(root)
        if root == "data":
            if len(steps) < 2 or steps[0][0] != "attr" or steps[1][0] != "attr":
                return Unknown("data")
            return walk(self.resource_value(f"data.{steps[0][1]}.{steps[1][1]}", steps[0][1]), steps[2:])
        if not steps or steps[0][0] != "attr":
            return Unknown(root)
        return walk(self.resource_value(f"{root}.{steps[0][1]}", root), steps[1:])

    def call(self, name: str, args: list[Any], line: int) -> Any:
        return self.files.call(name, args)

    # -- named values
    def variable(self, name: str) -> Any:
        def compute() -> Any:
            given = self.arguments.get(name)
            declared = self.variables.get(name)
            if declared is None:
                return given[0]() if given is not None else Unknown(f"var.{name}")
            attributes = declared.block.attributes
            default = attributes.get("default")
            value: Any = Unknown(f"var.{name}")
            if given is not None:
                value = given[0]()
                nullable = attributes.get("nullable")
                if value is None and default is not None and nullable is not None and self.evaluate(nullable.expr, declared.file) is False:
                    value = self.evaluate(default.expr, declared.file)  # non-nullable: a null argument takes the default
            elif default is not None:
                value = self.evaluate(default.expr, declared.file)
            type_attribute = attributes.get("type")
            if type_attribute is None:
                return value
            spec = read_type(type_attribute.expr)
            return convert(value, spec, lambda expr: self.evaluate(expr, declared.file))

        return self._once(f"var.{name}", compute)

    def local(self, name: str) -> Any:
        entry = self.locals.get(name)
        if entry is None:
            return ops.EvaluationError(f"no local.{name}")
        return self._once(f"local.{name}", lambda: self.evaluate(entry[1].expr, entry[0]))

    def resource_value(self, key: str, resource_type: str) -> Any:
        """What ``TYPE.NAME`` (or ``data.TYPE.NAME``) stands for: its instances, as references."""
        mode_data = key.startswith("data.")
        meaning = _DATA_MEANINGS.get(resource_type) if mode_data else None
        address = f"{self.prefix}{key}"
        item = self.resources.get(key)
        instances = self.instances(item) if item is not None else None
        if instances == [] and item is not None and self.loader.include_disabled:
            instances = self.bindings(item)  # the switched-off block is linted: references to it resolve
        source = key

        def one(suffix: str) -> Any:
            return LineDict(meaning) if meaning is not None else Reference(source=source, address=address + suffix)

        if instances is None and meaning is not None and item is not None and "count" in item.block.attributes:
            return [one("")]  # how many is unknown; what ``[0]`` would be is not
        if instances is None or (len(instances) == 1 and instances[0].suffix == ""):
            return one("")
        if all(i.suffix.startswith('["') for i in instances) and item is not None and "for_each" in item.block.attributes:
            return LineDict({i.names["each"]["key"]: one(i.suffix) for i in instances})
        return [one(i.suffix) for i in instances]

    def module_value(self, name: str) -> Any:
        """``module.NAME``: an object of the child's outputs, or a list / map of them for count / for_each."""
        children = self.children(name)
        if children is None:
            item = self.calls.get(name)
            return ops.EvaluationError(f"no module.{name}") if item is None else Reference(source=f"module.{name}", address=f"{self.prefix}module.{name}")
        call = self.calls[name].block
        objects = [(instance, child.output_values()) for instance, child in children]
        if "count" in call.attributes:
            return [obj for _, obj in objects]
        if "for_each" in call.attributes:
            return LineDict({instance.names["each"]["key"]: obj for instance, obj in objects})
        return objects[0][1] if objects else Unknown(f"module.{name}")

    def output_values(self) -> LineDict:
        def compute() -> LineDict:
            out = LineDict()
            for name, item in self.outputs.items():
                attr = item.block.attributes.get("value")
                out[name] = self.evaluate(attr.expr, item.file) if attr else None
            return out

        result = self._once("outputs", compute)
        return result if isinstance(result, LineDict) else LineDict()

    # -- instances
    def instances(self, item: SourceBlock) -> list[Instance] | None:
        """The instances ``count`` / ``for_each`` create; None when their number is unknown."""
        return self._once(f"instances of {id(item.block)}", lambda: self._instances(item))  # type: ignore[no-any-return]

    def _instances(self, item: SourceBlock) -> list[Instance] | None:
        block = item.block
        if "count" in block.attributes:
            attr = block.attributes["count"]
            value = self.evaluate(attr.expr, item.file)
            count = largest_count(value)
            if isinstance(count, Unknown):
                self._unknown_counts[id(block)] = self._count_cause(item, value, count)
                return None
            if count > MAX_INSTANCES:
                self.loader.problem(item.file, attr.line, f"count is larger than {MAX_INSTANCES:,}: evaluated as one instance")
                return None
            return [Instance(f"[{i}]", {"count": LineDict({"index": i})}) for i in range(max(0, int(count)))]
        if "for_each" in block.attributes:
            attr = block.attributes["for_each"]
            items = self.evaluate(attr.expr, item.file)
            pairs = for_each_pairs(items)
            if pairs is None:
                self._unknown_counts[id(block)] = self._count_cause(item, items, items)
                return None
            if len(pairs) > MAX_INSTANCES:
                self.loader.problem(item.file, attr.line, f"for_each has more than {MAX_INSTANCES:,} elements: evaluated as one instance")
                return None
            return [Instance(f'["{k}"]', {"each": LineDict({"key": k, "value": val})}) for k, val in pairs]
        return [Instance("", {})]

    def _count_cause(self, item: SourceBlock, value: Any, unknown: Any) -> str:
        """What an unknown count / for_each depends on; for one Terraform rejects, the input it reads."""
        if isinstance(value, ops.EvaluationError):
            return self.switched_by(item) or ""  # e.g. a for over an input whose default is null
        return unknown.source if isinstance(unknown, Unknown) else ""

    def bindings(self, item: SourceBlock) -> list[Instance]:
        """Instances to evaluate: the known ones, or one with unknown ``count.index`` / ``each``.

        With ``include_disabled``, a block that an input variable switches off gets one instance, marked
        with the variable that turns it on.
        """
        known = self.instances(item)
        # Unknown because count / for_each is: each names the input it depends on, when there is one.
        cause = self._unknown_counts.get(id(item.block)) or ""
        cause = cause if cause.startswith(("var.", "module.")) else ""
        unknown = LineDict({"index": Unknown(cause or "count.index"), "key": Unknown(cause or "each.key"), "value": Unknown(cause or "each.value")})
        if known == [] and self.loader.include_disabled:
            switch = self.switched_by(item)
            if switch is not None:
                names = {"count": LineDict({"index": 0})} if "count" in item.block.attributes else {"each": unknown}
                return [Instance("[0]" if "count" in names else "", names, enabled_by=switch)]
        if known is not None:
            return known
        return [Instance("", {"count": unknown, "each": unknown})]

    def switched_by(self, item: SourceBlock) -> str | None:
        """The input variable a block's ``count`` / ``for_each`` depends on; None for a literal 0."""
        attr = item.block.attributes.get("count") or item.block.attributes.get("for_each")
        if attr is None:
            return None
        seen: set[str] = set()
        pending = [attr.expr]
        while pending:
            for name in references_in(pending.pop()):
                kind, _, rest = name.partition(".")
                if kind == "var":
                    return name
                if kind == "local" and rest in self.locals and rest not in seen:
                    seen.add(rest)
                    pending.append(self.locals[rest][1].expr)
        return None

    # -- module calls
    def children(self, name: str) -> list[tuple[Instance, ModuleInstance]] | None:
        """The child module instances of call ``name``; None when its source is not a local directory."""
        if name not in self._children:
            self._children[name] = None  # while loading: a reference back to this call is unknown
            self._children[name] = self._load_children(name)
        return self._children[name]

    def _load_children(self, name: str) -> list[tuple[Instance, ModuleInstance]] | None:
        item = self.calls.get(name)
        if item is None:
            return None
        target = self.loader.local_module(self, item)
        if target is None:
            return None
        directory, files = target
        out = []
        for instance in self.bindings(item):
            arguments: dict[str, Argument] = {}
            for arg_name, attr in item.block.attributes.items():
                if arg_name in _META_ARGUMENTS:
                    continue
                origin = origin_of(self, attr, item.file)
                if origin is not None and origin.kind == "literal":
                    origin = ValueOrigin("module argument", origin.file, origin.line, via=arg_name)
                arguments[arg_name] = (self._deferred(attr, item.file, instance.names), origin)
            prefix = f"{self.prefix}module.{name}{instance.suffix}."
            enabled_by = instance.enabled_by or self.enabled_by
            child = ModuleInstance(self.loader, directory, files, prefix, arguments, self.depth + 1, (*self.stack, directory), enabled_by)
            out.append((instance, child))
        return out

    def _deferred(self, attr: st.Attribute, file: Path, names: dict[str, Any]) -> Callable[[], Any]:
        return lambda: self.evaluate(attr.expr, file, names)

    # -- block bodies
    def block_value(self, block: st.Block, file: Path, names: Mapping[str, Any]) -> LineDict:
        """A block's attributes and nested blocks, like Terraform's JSON form (nested blocks as lists)."""
        out = LineDict(line=block.line)
        for name, attr in block.attributes.items():
            out[name] = self.evaluate(attr.expr, file, names)
        for nested in block.blocks:
            if nested.type == "dynamic" and nested.labels:
                self._dynamic(nested, file, names, out)
            else:
                out.setdefault(nested.type, []).append(self.block_value(nested, file, names))
        return out

    def _dynamic(self, block: st.Block, file: Path, names: Mapping[str, Any], out: LineDict) -> None:
        label = block.labels[0]
        iterator = label
        if "iterator" in block.attributes:
            expr = block.attributes["iterator"].expr
            iterator = expr.name if isinstance(expr, st.Variable) else label
        content = next((b for b in block.blocks if b.type == "content"), None)
        for_each = block.attributes.get("for_each")
        generated = out.setdefault(label, [])
        if content is None or for_each is None:
            return
        collection = self.evaluate(for_each.expr, file, names)
        pairs = ops.element_values(collection)
        if isinstance(pairs, v.PartialList):
            known = [(Unknown("key"), item) for item in pairs.known]
            generated.extend(self.block_value(content, file, {**names, iterator: LineDict({"key": k, "value": val})}) for k, val in known)
            generated.append(Unknown(f"dynamic {label}"))
            return
        if not isinstance(pairs, list) or len(pairs) > MAX_INSTANCES:
            generated.append(ops.unknown(f"dynamic {label}", collection))  # generated at plan time: something unknown is there
            return
        for key, value in pairs:
            generated.append(self.block_value(content, file, {**names, iterator: LineDict({"key": key, "value": value})}))

    # -- where values come from
