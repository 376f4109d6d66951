"""Terraform configuration: a module directory evaluated into resources with known values.

A module's ``.tf`` and ``.tf.json`` files are read together (references cross files). Variables
take their value from a module call's arguments, then ``terraform.tfvars`` / ``*.auto.tfvars``
(root modules only), then their default. Local modules (``source = "./x"``) are loaded with the
call's arguments and their addresses prefixed ``module.NAME.``. Anything that cannot be proven
statically stays an ``Unknown``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from privlint.parsers.hcl import (
    Evaluator,
    HclAttribute,
    HclBlock,
    HclBody,
    HclSyntaxError,
    JsonValue,
    index_value,
    parse_hcl,
    read_relative,
)
from privlint.parsers import jsonpos
from privlint.core.values import LineDict, Reference, Unknown

MAX_MODULE_DEPTH = 8


@dataclass
class ParseProblem:
    file: Path
    line: int | None
    message: str


@dataclass
class ValueOrigin:
    """Where a value that reached a resource attribute was written (for credentials)."""

    kind: str  # "literal", "variable default", "tfvars", "module argument"
    file: Path
    line: int
    via: str | None = None  # the variable name
    sensitive: bool = False


@dataclass
class TerraformResource:
    mode: str  # "resource" or "data"
    type: str
    name: str
    address: str  # module.x.aws_iam_role.admin / data.aws_iam_policy_document.d
    values: LineDict
    file: Path
    line: int
    attribute_lines: dict[str, int] = field(default_factory=dict)
    origins: dict[str, ValueOrigin] = field(default_factory=dict)
    module_dir: Path | None = None
    comments: list[str] = field(default_factory=list)


@dataclass
class TerraformResult:
    resources: list[TerraformResource] = field(default_factory=list)
    problems: list[ParseProblem] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)  # every file read, modules included
    called_dirs: set[Path] = field(default_factory=set)  # local module directories loaded through calls


# --------------------------------------------------------------------------- reading files


@dataclass
class _File:
    path: Path
    body: HclBody


def _json_body(doc: Any, line: int) -> HclBody:
    """Terraform's JSON syntax as HCL blocks: ``{"resource": {"TYPE": {"NAME": {...}}}}``."""
    body = HclBody()
    if not isinstance(doc, dict):
        return body
    label_depth = {"resource": 2, "data": 2, "variable": 1, "module": 1, "output": 1, "provider": 1, "locals": 0}
    for block_type, content in doc.items():
        depth = label_depth.get(block_type)
        if depth is None:
            continue
        for labels, inner in _json_labelled(content, depth):
            for item in inner if isinstance(inner, list) else [inner]:
                if not isinstance(item, dict):
                    continue
                block_line = getattr(item, "line", None) or line
                blk = HclBlock(type=block_type, labels=labels, line=block_line)
                for key, value in item.items():
                    blk.attributes[key] = HclAttribute(key, JsonValue(value, block_line), block_line)
                body.blocks.append(blk)
    return body


def _json_labelled(content: Any, depth: int) -> list[tuple[list[str], Any]]:
    if depth == 0:
        return [([], content)]
    out: list[tuple[list[str], Any]] = []
    for item in content if isinstance(content, list) else [content]:
        if isinstance(item, dict):
            for key, inner in item.items():
                out.extend(([key, *labels], v) for labels, v in _json_labelled(inner, depth - 1))
    return out


def read_file(path: Path, text: str) -> HclBody:
    """Parse one Terraform file (HCL or JSON syntax). Raises HclSyntaxError / jsonpos.JsonError."""
    if path.name.endswith(".json"):
        return _json_body(jsonpos.loads(text), 1)
    return parse_hcl(text)


# --------------------------------------------------------------------------- module evaluation


class _Module:
    def __init__(
        self,
        directory: Path,
        files: list[_File],
        prefix: str,
        variable_values: dict[str, tuple[Callable[[], Any], ValueOrigin | None]],
        root_dir: Path,
        display: Callable[[Path], str] = str,
    ) -> None:
        self.directory = directory
        self.display = display
        self.prefix = prefix
        self.root_dir = root_dir
        self.blocks: list[tuple[_File, HclBlock]] = [(f, b) for f in files for b in f.body.blocks]
        self.variables: dict[str, tuple[_File, HclBlock]] = {}
        self.locals: dict[str, tuple[_File, HclAttribute]] = {}
        for f, b in self.blocks:
            if b.type == "variable" and b.labels:
                self.variables[b.labels[0]] = (f, b)
            elif b.type == "locals":
                for name, attr in b.attributes.items():
                    self.locals[name] = (f, attr)
        self.variable_values = variable_values
        self.each: tuple[Any, Any] | None = None  # (each.key, each.value) while a for_each instance is evaluated
        self._local_cache: dict[str, Any] = {}
        self._variable_cache: dict[str, Any] = {}
        self._resolving: set[str] = set()
        self.evaluator = Evaluator(self.resolve, {"file": self._fn_file, "templatefile": self._fn_templatefile})

    # -- functions that read files relative to the module
    def _fn_file(self, ev: Evaluator, path: Any) -> Any:
        text = read_relative(self.directory, path)
        return text if text is not None else Unknown("file()")

    def _fn_templatefile(self, ev: Evaluator, path: Any, variables: Any = None) -> Any:
        text = read_relative(self.directory, path)
        if text is None:
            return Unknown("templatefile()")
        names = variables if isinstance(variables, dict) else {}

        def resolve(root: str, steps: list[Any]) -> Any:
            if root in names:
                value = names[root]
                for step in steps:
                    value = index_value(value, step)
                return value
            return Unknown(root)

        return Evaluator(resolve).template(text)

    # -- references
    def resolve(self, root: str, steps: list[Any]) -> Any:
        if root == "var":
            if not steps or not isinstance(steps[0], str):
                return Unknown("var")
            value = self.variable(steps[0])
            rest = steps[1:]
        elif root == "local":
            if not steps or not isinstance(steps[0], str):
                return Unknown("local")
            value = self.local(steps[0])
            rest = steps[1:]
        elif root == "path":
            key = steps[0] if steps else None
            if key == "module":
                value, rest = str(self.directory.resolve()), steps[1:]
            elif key == "root":
                value, rest = str(self.root_dir.resolve()), steps[1:]
            else:
                return Unknown("path")
        elif root == "each" and self.each is not None and steps and steps[0] in ("key", "value"):
            value = self.each[0] if steps[0] == "key" else self.each[1]
            rest = steps[1:]
        elif root in ("count", "each", "self", "terraform", "module"):
            return Unknown(f"{root}.{'.'.join(str(s) for s in steps)}")
        elif root == "data":
            names = [s for s in steps if isinstance(s, str)]
            if len(names) < 2:
                return Unknown("data")
            attr = names[2] if len(names) > 2 else ""
            return Reference(source=f"data.{names[0]}.{names[1]}", address=f"{self.prefix}data.{names[0]}.{names[1]}", attribute=attr)
        else:
            names = [s for s in steps if isinstance(s, str)]
            if not names:
                return Unknown(root)
            attr = names[1] if len(names) > 1 else ""
            return Reference(source=f"{root}.{names[0]}", address=f"{self.prefix}{root}.{names[0]}", attribute=attr)
        for step in rest:
            value = index_value(value, step)
        return value

    def evaluate(self, attr: HclAttribute, file: _File) -> Any:
        return self.evaluator.value_in(attr.expr, self.display(file.path))

    def variable(self, name: str) -> Any:
        if name not in self._variable_cache:
            given = self.variable_values.get(name)
            decl = self.variables.get(name)
            if given is not None:
                value = given[0]()
            elif decl is None or "default" not in decl[1].attributes:
                value = Unknown(f"var.{name}")
            else:
                value = self.evaluate(decl[1].attributes["default"], decl[0])
            if value is None and decl is not None and "default" in decl[1].attributes and given is not None:
                # A caller passing null gets the default, as in Terraform.
                value = self.evaluate(decl[1].attributes["default"], decl[0])
            self._variable_cache[name] = value
        return self._variable_cache[name]

    def instances(self, block: HclBlock) -> list[tuple[str, tuple[Any, Any] | None]] | None:
        """The instances ``count``/``for_each`` create: (address suffix, each binding). None: unknown."""
        if "count" in block.attributes:
            count = self.evaluator.value(block.attributes["count"].expr)
            if count is False or count == 0:
                return []
            return [("", None)]
        if "for_each" in block.attributes:
            items = self.evaluator.value(block.attributes["for_each"].expr)
            if isinstance(items, dict):
                return [(f'["{k}"]', (k, v)) for k, v in items.items()]
            if isinstance(items, list) and all(isinstance(i, str) for i in items):
                return [(f'["{k}"]', (k, k)) for k in dict.fromkeys(items)]
            return [("", None)]
        return [("", None)]

    def variable_origin(self, name: str) -> ValueOrigin | None:
        decl = self.variables.get(name)
        sensitive = False
        if decl is not None and "sensitive" in decl[1].attributes:
            sensitive = self.evaluator.value(decl[1].attributes["sensitive"].expr) is True
        given = self.variable_values.get(name)
        if given is not None:
            origin = given[1]
            if origin is not None:
                return ValueOrigin(origin.kind, origin.file, origin.line, via=origin.via or name, sensitive=sensitive or origin.sensitive)
            return None
        if decl is not None and "default" in decl[1].attributes:
            attr = decl[1].attributes["default"]
            return ValueOrigin("variable default", decl[0].path, attr.line, via=name, sensitive=sensitive)
        return None

    def local(self, name: str) -> Any:
        if name in self._local_cache:
            return self._local_cache[name]
        entry = self.locals.get(name)
        if entry is None or name in self._resolving:
            return Unknown(f"local.{name}")
        self._resolving.add(name)
        try:
            value = self.evaluate(entry[1], entry[0])
        finally:
            self._resolving.discard(name)
        self._local_cache[name] = value
        return value

    def origin_of(self, attr: HclAttribute, file: _File) -> ValueOrigin | None:
        """Where the value of a top-level attribute was written, following ``var.x`` and ``local.x``."""
        ref = _simple_reference(attr.expr)
        seen: set[str] = set()
        while ref is not None and ref not in seen:
            seen.add(ref)
            kind, _, name = ref.partition(".")
            if kind == "var":
                return self.variable_origin(name)
            if kind == "local" and name in self.locals:
                f, local_attr = self.locals[name]
                ref = _simple_reference(local_attr.expr)
                if ref is None:
                    return ValueOrigin("literal", f.path, local_attr.line, via=f"local.{name}")
                continue
            return None
        return ValueOrigin("literal", file.path, attr.line)


def _simple_reference(expr: Any) -> str | None:
    """``var.NAME`` or ``local.NAME`` when the expression is exactly that, else None."""
    from lark import Tree

    node = expr
    while isinstance(node, Tree) and node.data == "expr_term" and len(node.children) == 1:
        node = node.children[0]
    if isinstance(node, Tree) and node.data == "get_attr_expr_term":
        base, step = node.children[0], node.children[1]
        while isinstance(base, Tree) and base.data == "expr_term" and len(base.children) == 1:
            base = base.children[0]
        if isinstance(base, Tree) and base.data == "identifier":
            root = str(base.children[0].value)
            name = "".join(str(t.value) for t in step.children[-1].children) if isinstance(step.children[-1], Tree) else ""
            if root in ("var", "local") and name:
                return f"{root}.{name}"
    if isinstance(expr, JsonValue) and isinstance(expr.value, str):
        text = expr.value.strip()
        if text.startswith("${") and text.endswith("}"):
            inner = text[2:-1].strip()
            if inner.count(".") == 1 and inner.split(".")[0] in ("var", "local"):
                return inner
    return None


# --------------------------------------------------------------------------- loading


PARALLEL_MIN_BYTES = 96 * 1024  # below this much text to parse, starting worker processes costs more than it saves


def parse_text(path: Path, text: str) -> HclBody | tuple[int | None, str]:
    """One file's text parsed, or the (line, message) of why it cannot be. Never raises for bad input."""
    try:
        return _slim(read_file(path, text))
    except HclSyntaxError as exc:
        return (exc.line, str(exc))
    except jsonpos.JsonError as exc:
        return (exc.line, f"invalid JSON: {exc.reason}")
    except RecursionError:
        return (None, "nested too deeply to parse")
    except ValueError as exc:
        return (None, str(exc))


def _slim(body: HclBody) -> HclBody:
    """Keep only the line of each Lark node's position (of 13 fields): a third less to pickle, cache and hold."""
    from lark import Tree
    from lark.tree import Meta

    stack: list[Any] = []
    pending = [body]
    while pending:
        b = pending.pop()
        stack.extend(a.expr for a in b.attributes.values())
        pending.extend(b.blocks)
    while stack:
        node = stack.pop()
        if isinstance(node, Tree):
            old = node._meta
            if old is not None:
                meta = Meta()
                if hasattr(old, "line"):
                    meta.line = old.line
                node._meta = meta
            stack.extend(node.children)
    return body


def _cache_kind(path: Path) -> str:
    return "tf-json" if path.name.endswith(".json") else "hcl"


def _parse_in_worker(job: tuple[str, str]) -> bytes | None:
    """In a worker process: parse and pickle (None when the result is too deep to pickle)."""
    import pickle

    name, text = job
    try:
        return pickle.dumps(parse_text(Path(name), text), protocol=pickle.HIGHEST_PROTOCOL)
    except (RecursionError, MemoryError, pickle.PicklingError):
        return None  # parsed again in the parent, where a failure becomes a problem of this file


def _warm_worker() -> None:
    from hcl2.parser import parser

    parser()  # build the Lark parser once per worker, before the first file


class TerraformLoader:
    """Loads module directories, caching parsed files so a module called twice is parsed once.

    With a ``ParseCache`` (privlint.pipeline.cache) parsed files also survive between runs; ``prefetch``
    parses many files at once, in worker processes when there is enough text to pay for them.
    """

    def __init__(self, read_text: Callable[[Path], str], display: Callable[[Path], str] = str, cache: Any = None) -> None:
        self.read_text = read_text
        self.display = display
        self.cache = cache  # a privlint.pipeline.cache.ParseCache, or None
        self._parsed: dict[Path, _File | ParseProblem] = {}

    def _read(self, path: Path) -> str | ParseProblem:
        try:
            return self.read_text(path)
        except UnicodeDecodeError as exc:
            return ParseProblem(path, None, f"not UTF-8 text (byte {exc.start})")
        except ValueError as exc:  # too large, binary: the reader says why
            return ParseProblem(path, None, str(exc))
        except OSError as exc:
            return ParseProblem(path, None, f"cannot read file: {exc.strerror or exc}")

    def _store(self, path: Path, parsed: HclBody | tuple[int | None, str]) -> None:
        if isinstance(parsed, tuple):
            self._parsed[path] = ParseProblem(path, parsed[0], parsed[1])
        else:
            self._parsed[path] = _File(path, parsed)

    def parse(self, path: Path) -> _File | ParseProblem:
        if path not in self._parsed:
            text = self._read(path)
            if isinstance(text, ParseProblem):
                self._parsed[path] = text
                return text
            key = self.cache.key(_cache_kind(path), text) if self.cache is not None else None
            parsed = self.cache.get(key) if key is not None else None
            if key is None or parsed is _cache_missing():
                parsed = parse_text(path, text)
                if key is not None:
                    self.cache.put(key, parsed)
            self._store(path, parsed)
        return self._parsed[path]

    def prefetch(self, paths: list[Path], jobs: int) -> None:
        """Parse these files now: from the cache, else in ``jobs`` worker processes when worth it."""
        todo: list[tuple[Path, str, str | None]] = []
        for path in dict.fromkeys(paths):
            if path in self._parsed:
                continue
            text = self._read(path)
            if isinstance(text, ParseProblem):
                self._parsed[path] = text
                continue
            key = self.cache.key(_cache_kind(path), text) if self.cache is not None else None
            if key is not None:
                cached = self.cache.get(key)
                if cached is not _cache_missing():
                    self._store(path, cached)
                    continue
            todo.append((path, text, key))
        if jobs < 2 or len(todo) < 2 or sum(len(t) for _, t, _ in todo) < PARALLEL_MIN_BYTES:
            return  # parse() does the rest, one by one
        import multiprocessing
        import pickle
        import threading
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        # Only with fork: workers start in milliseconds and inherit the imports. Spawn would re-import the
        # caller's main module (breaking scripts without a __main__ guard), and forking a threaded program
        # can leave another thread's lock held in the child: parse here, one by one, in those cases.
        if sys.platform != "linux" or threading.active_count() > 1 or "fork" not in multiprocessing.get_all_start_methods():
            return
        workers = min(jobs, len(todo))
        chunk = max(1, len(todo) // (workers * 4))
        try:
            with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"), initializer=_warm_worker) as pool:
                results = pool.map(_parse_in_worker, [(str(p), t) for p, t, _ in todo], chunksize=chunk)
                for (path, _text, key), payload in zip(todo, results):
                    if payload is None:
                        continue  # parse() will parse it here
                    if key is not None:
                        self.cache.put_payload(key, payload)
                    self._store(path, pickle.loads(payload))
        except (BrokenProcessPool, OSError):
            return  # no processes here (a sandbox, a resource limit): parse() parses what is left

    def load(self, directory: Path, files: list[Path]) -> TerraformResult:
        result = TerraformResult()
        self._load_module(directory, files, "", {}, directory, result, depth=0, stack=(directory.resolve(),), root=True)
        return result

    def _load_module(
        self,
        directory: Path,
        files: list[Path],
        prefix: str,
        variable_values: dict[str, tuple[Callable[[], Any], ValueOrigin | None]],
        root_dir: Path,
        result: TerraformResult,
        depth: int,
        stack: tuple[Path, ...],
        root: bool,
    ) -> None:
        parsed: list[_File] = []
        tfvars: list[_File] = []
        for path in sorted(files):
            item = self.parse(path)
            result.files.append(path)
            if isinstance(item, ParseProblem):
                result.problems.append(item)
            elif _is_tfvars(path):
                tfvars.append(item)
            else:
                parsed.append(item)
        if root:
            variable_values = dict(variable_values)
            # Terraform reads terraform.tfvars first, then *.auto.tfvars in lexical order; later wins.
            for f in sorted(tfvars, key=lambda f: (f.path.name not in ("terraform.tfvars", "terraform.tfvars.json"), f.path.name)):
                tf_eval = Evaluator(lambda r, s: Unknown(r))
                shown = self.display(f.path)
                for name, attr in f.body.attributes.items():
                    variable_values[name] = (
                        (lambda a=attr, ev=tf_eval, shown=shown: ev.value_in(a.expr, shown)),
                        ValueOrigin("tfvars", f.path, attr.line, via=name),
                    )
        module = _Module(directory, parsed, prefix, variable_values, root_dir, self.display)
        for f, block in module.blocks:
            if block.type in ("resource", "data") and len(block.labels) >= 2:
                rtype, name = block.labels[0], block.labels[1]
                base = f"{prefix}{'data.' if block.type == 'data' else ''}{rtype}.{name}"
                for suffix, each in module.instances(block) or []:
                    module.each = each
                    try:
                        result.resources.append(self._resource(module, f, block, base + suffix, directory))
                    finally:
                        module.each = None
            elif block.type == "provider" and block.labels:
                # Provider blocks can hold credentials (access_key, secret_key, password...).
                alias = module.evaluator.value(block.attributes["alias"].expr) if "alias" in block.attributes else None
                address = f"{prefix}provider.{block.labels[0]}" + (f".{alias}" if isinstance(alias, str) else "")
                resource = self._resource(module, f, HclBlock("provider", [block.labels[0], ""], block.line, block.attributes, block.blocks), address, directory)
                resource.mode = "provider"
                result.resources.append(resource)
            elif block.type == "module" and block.labels:
                self._call_module(module, f, block, root_dir, result, depth, stack)

    @staticmethod
    def _resource(module: _Module, f: _File, block: HclBlock, address: str, directory: Path) -> TerraformResource:
        origins = {}
        for attr_name, attr in block.attributes.items():
            origin = module.origin_of(attr, f)
            if origin is not None:
                origins[attr_name] = origin
        return TerraformResource(
            mode=block.type,
            type=block.labels[0],
            name=block.labels[1],
            address=address,
            values=_block_value_in(module, block, f),
            file=f.path,
            line=block.line,
            attribute_lines={k: a.line for k, a in block.attributes.items()},
            origins=origins,
            module_dir=directory,
        )

    def _call_module(
        self, caller: _Module, file: _File, block: HclBlock, root_dir: Path, result: TerraformResult, depth: int, stack: tuple[Path, ...]
    ) -> None:
        source_attr = block.attributes.get("source")
        source = caller.evaluator.value(source_attr.expr) if source_attr else None
        if not isinstance(source, str) or not source.startswith(("./", "../")):
            return  # registry and git modules are not fetched: nothing is downloaded during a scan
        try:
            target = (caller.directory / source).resolve()
            if depth >= MAX_MODULE_DEPTH or target in stack or not target.is_dir():
                return
            files = sorted(p for p in target.iterdir() if p.is_file() and _is_terraform_file(p))
        except OSError as exc:  # a component over 255 bytes, a directory privlint may not read
            result.problems.append(ParseProblem(file.path, block.line, f"module source cannot be read: {exc.strerror or type(exc).__name__}"))
            return
        result.called_dirs.add(target)
        for suffix, each in caller.instances(block) or []:
            args: dict[str, tuple[Callable[[], Any], ValueOrigin | None]] = {}
            for name, attr in block.attributes.items():
                if name in ("source", "version", "providers", "count", "for_each", "depends_on"):
                    continue
                origin = caller.origin_of(attr, file)
                if origin is not None and origin.kind == "literal":
                    origin = ValueOrigin("module argument", origin.file, origin.line, via=name)
                args[name] = (_bound(caller, attr, file, each), origin)
            prefix = f"{caller.prefix}module.{block.labels[0]}{suffix}."
            self._load_module(target, files, prefix, args, root_dir, result, depth + 1, (*stack, target), root=False)


def _bound(module: _Module, attr: HclAttribute, file: _File, each: tuple[Any, Any] | None) -> Callable[[], Any]:
    """Evaluate a module argument later, with the ``each`` of the module instance it belongs to."""

    def evaluate() -> Any:
        saved, module.each = module.each, each
        try:
            return module.evaluate(attr, file)
        finally:
            module.each = saved

    return evaluate


def _block_value_in(module: _Module, block: HclBlock, file: _File) -> LineDict:
    ev = module.evaluator
    saved, ev.file = ev.file, module.display(file.path)
    try:
        return ev.block_value(block)
    finally:
        ev.file = saved


def _cache_missing() -> Any:
    from privlint.pipeline.cache import MISSING

    return MISSING


def _is_tfvars(path: Path) -> bool:
    name = path.name
    return name in ("terraform.tfvars", "terraform.tfvars.json") or name.endswith((".auto.tfvars", ".auto.tfvars.json"))


def _is_terraform_file(path: Path) -> bool:
    return path.name.endswith((".tf", ".tf.json")) or _is_tfvars(path)
