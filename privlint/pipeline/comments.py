"""Where the comments are: a ``privlint:ignore`` inside a string or heredoc is data, not a directive.

A small lexer per syntax (HCL, YAML; JSON has no comments) that finds, for each line, the column
where a real comment starts. It tracks only what can hide a comment marker: quoted strings (with
HCL's ``${...}`` interpolations), heredocs, block comments and YAML block scalars.
"""

from __future__ import annotations

import re

_HEREDOC = re.compile(r"<<-?([A-Za-z_][A-Za-z0-9_-]*)\s*$")
_BLOCK_SCALAR = re.compile(r"(?:^|[\s:-])[|>][-+0-9]*\s*$")


def syntax_of(name: str, text: str) -> str:
    lowered = name.lower()
    if lowered.endswith(".json") or text.lstrip().startswith(("{", "[")):
        return "json"
    if lowered.endswith((".tf", ".tfvars", ".hcl")):
        return "hcl"
    return "yaml"


def comment_columns(text: str, syntax: str) -> dict[int, int]:
    """Line number (1-based) -> column where a comment starts, for lines that have one."""
    if syntax == "json":
        return {}
    lexer = _hcl_comments if syntax == "hcl" else _yaml_comments
    return lexer(text.splitlines())


def _hcl_comments(lines: list[str]) -> dict[int, int]:
    found: dict[int, int] = {}
    heredoc: str | None = None
    in_block_comment = False
    # A stack of contexts: "s" inside a quoted string, "i" inside a ${...} interpolation of one.
    stack: list[str] = []
    for number, line in enumerate(lines, start=1):
        if heredoc is not None:
            if line.strip() == heredoc:
                heredoc = None
            continue
        i = 0
        while i < len(line):
            ch, pair = line[i], line[i : i + 2]
            if in_block_comment:
                if pair == "*/":
                    in_block_comment, i = False, i + 2
                    continue
                i += 1
                continue
            if stack and stack[-1] == "s":
                if ch == "\\":
                    i += 2
                    continue
                if pair in ("${", "%{"):
                    stack.append("i")
                    i += 2
                    continue
                if ch == '"':
                    stack.pop()
                i += 1
                continue
            if stack and ch == "}":
                stack.pop()
                i += 1
                continue
            if ch == '"':
                stack.append("s")
            elif ch == "{" and stack:
                stack.append("i")  # an object inside an interpolation: its '}' is not the end
            elif not stack and (ch == "#" or pair == "//"):
                found[number] = i
                break
            elif not stack and pair == "/*":
                in_block_comment, i = True, i + 2
                continue
            elif not stack and pair == "<<":
                m = _HEREDOC.match(line, i)
                if m:
                    heredoc = m.group(1)
                    break
            i += 1
        if stack and stack[-1] == "s":
            stack.clear()  # HCL strings do not span lines: recover at the next line
    return found


def _yaml_comments(lines: list[str]) -> dict[int, int]:
    found: dict[int, int] = {}
    block_indent: int | None = None  # inside a block scalar (| or >) indented more than this
    quote: str | None = None  # a flow scalar continued from the previous line
    for number, line in enumerate(lines, start=1):
        indent = len(line) - len(line.lstrip(" "))
        if block_indent is not None:
            if not line.strip() or indent > block_indent:
                continue
            block_indent = None
        i, code_end = 0, len(line)
        while i < len(line):
            ch = line[i]
            if quote is not None:
                if quote == '"' and ch == "\\":
                    i += 2
                    continue
                if ch == quote:
                    if quote == "'" and line[i + 1 : i + 2] == "'":
                        i += 2
                        continue
                    quote = None
                i += 1
                continue
            if ch in "'\"" and (i == 0 or line[i - 1] in " \t[{,:-?"):
                quote = ch
            elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
                found[number] = i
                code_end = i
                break
            i += 1
        if quote is None and _BLOCK_SCALAR.search(line[:code_end].rstrip()):
            block_indent = indent
    return found
