"""What every check is, read from its source without importing it: ``pitfall checks`` and ``explain`` in a blink.

A check module imports numpy, pandas and scikit-learn, which takes seconds; listing the registry or
printing one check's documentation needs none of that. ``spec(code)`` reads the check's class from
its source file with ``ast``: the class attributes written as literals (``code``, ``name``,
``family``, ``severity``, ``requires``, ``since``) and the docstring (a string, or strings added to
module-level string constants, as the drift checks do), following base classes into the modules
they are imported from. Anything it cannot read statically is taken from the imported class
instead, so the answer is always the class's own; a test compares the two for every check.
"""

from __future__ import annotations

import ast
import inspect
from dataclasses import dataclass, field
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any

__all__ = ["CheckSpec", "spec"]

# The base class's defaults (checks/base.py); a test keeps them in step with ``Check``.
_BASE_DEFAULTS: dict[str, Any] = {"severity": "warning", "requires": {}, "since": "0.1.0"}
_FIELDS = ("code", "name", "family", "severity", "requires", "since", "docs")


@dataclass(frozen=True)
class CheckSpec:
    """A check's identity and documentation, as ``pitfall checks`` and ``explain`` show them."""

    code: str
    name: str
    family: str
    severity: str
    since: str
    docs: str
    target: str  # "module:Class"
    requires: dict[str, Any] = field(default_factory=dict)

    def command(self) -> str:
        """The command that runs this check (same rule as ``Check.command``)."""
        for flag in ("lint", "rerun", "thresholds", "monitor", "drift"):
            if self.requires.get(flag):
                return flag
        return "scan"

    def summary(self) -> str:
        """The docstring's first paragraph, on one line."""
        return " ".join(self.docs.split("\n\n")[0].split()) if self.docs else self.name


class _Unreadable(Exception):
    """The source says something ``ast`` alone cannot evaluate: import the class instead."""


@cache
def _module_tree(module: str) -> ast.Module:
    found = find_spec(module)
    if found is None or not found.origin or not found.origin.endswith(".py"):
        raise _Unreadable(module)
    return ast.parse(Path(found.origin).read_text(encoding="utf-8"))


def _imported_names(tree: ast.Module) -> dict[str, str]:
    """``{local name: "module:name"}`` for ``from pitfall... import name`` at module level."""
    names = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("pitfall"):
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}:{alias.name}"
    return names


def _constant(module: str, name: str) -> Any:
    """A module-level name's value, when it is a literal (or imported from a module where it is)."""
    tree = _module_tree(module)
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return _evaluate(node.value, module)
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == name:
            return _evaluate(node.value, module)
    imported = _imported_names(tree).get(name)
    if imported:
        return _constant(*imported.split(":"))
    raise _Unreadable(f"{module}:{name}")


def _evaluate(node: ast.AST | None, module: str) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _evaluate(node.left, module) + _evaluate(node.right, module)
    if isinstance(node, ast.Name):
        return _constant(module, node.id)
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "Severity":
        return node.attr.lower()
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        if node.func.id == "Requires" and not node.args:
            return {k.arg: _evaluate(k.value, module) for k in node.keywords if k.arg}
        if node.func.id == "frozenset" and len(node.args) == 1 and isinstance(node.args[0], ast.Set):
            return frozenset(_evaluate(e, module) for e in node.args[0].elts)
    raise _Unreadable(ast.dump(node) if node is not None else "nothing")


def _class_fields(module: str, name: str) -> dict[str, Any]:
    """The fields a class sets itself, then those of its bases (the nearest base wins)."""
    tree = _module_tree(module)
    cls = next((n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == name), None)
    if cls is None:
        imported = _imported_names(tree).get(name)
        if imported is None:
            raise _Unreadable(f"{module}:{name}")
        return _class_fields(*imported.split(":"))
    own: dict[str, Any] = {}
    doc = ast.get_docstring(cls, clean=True)
    if doc is not None:
        own["docs"] = doc
    for node in cls.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            key, value = node.targets[0].id, node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            key, value = node.target.id, node.value
        else:
            continue
        if key == "__doc__":
            own["docs"] = inspect.cleandoc(_evaluate(value, module))
        elif key in _FIELDS:
            own[key] = _evaluate(value, module)
    inherited: dict[str, Any] = {}
    for base in reversed(cls.bases):
        if not isinstance(base, ast.Name):
            raise _Unreadable(ast.dump(base))
        if base.id == "Check":
            inherited.update(_BASE_DEFAULTS)
        else:
            inherited.update({k: v for k, v in _class_fields(module, base.id).items() if k != "docs"})
    return {**inherited, **own}


def _from_class(code: str, target: str) -> CheckSpec:
    from importlib import import_module

    module, name = target.split(":")
    cls = getattr(import_module(module), name)
    requires = {k: getattr(cls.requires, k) for k in cls.requires.__dataclass_fields__}
    return CheckSpec(
        code=code,
        name=cls.name,
        family=cls.family,
        severity=cls.severity.value,
        since=cls.since,
        docs=cls.docs(),
        target=target,
        requires=requires,
    )


@cache
def spec(code: str, target: str) -> CheckSpec:
    """The spec of the check ``target`` (``"module:Class"``) registered under ``code``."""
    try:
        fields = _class_fields(*target.split(":"))
        if any(k not in fields for k in _FIELDS) or fields["code"] != code:
            raise _Unreadable(target)
        return CheckSpec(target=target, **{k: fields[k] for k in _FIELDS})
    except (_Unreadable, OSError, SyntaxError, TypeError, ValueError):
        return _from_class(code, target)
