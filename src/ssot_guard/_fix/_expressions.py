"""Rewriting the calls and attributes of one file: string targets and deprecated attributes.

``importlib.import_module("app.old")``, ``mock.patch("app.old.Thing")`` and their
kind get the replacement inside the string literal; ``m.old_name`` becomes
``m.new_name`` when the replacement lives in the same module.
"""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING

from .._check._nodes import argument_of as _argument
from .._check._nodes import last_name as _last_name
from .._check._nodes import resolve_relative
from .._check._screen import DOTTED_TARGET_CALLS, IMPORT_CALLS
from .._rules._model import Deprecate
from ._source import Edit, string_literal
from ._targets import module_target, name_target

if TYPE_CHECKING:
    from collections.abc import Callable

    from .._check._scan import SourceFile
    from .._rules._matcher import CompiledRule
    from .._rules._model import Rule
    from ._sites import Site
    from ._source import Source
    from ._targets import ModuleIndex


class Refused(Exception):
    """A site that cannot be rewritten safely; the message says why."""


def top(name: str) -> str:
    return name.partition(".")[0]


class ExpressionRewriter:
    """The part of ``FileFixer`` that rewrites sites outside import statements."""

    _file: SourceFile
    _src: Source
    _tree: ast.Module
    _index: ModuleIndex
    _edits: list[Edit]
    _rewritten: int
    _match: Callable[[str], CompiledRule | None] | None

    def _rule_for(self, site: Site, name: str) -> Rule:
        """The rule that decides module *name* (at or under the site's name) at run time: the
        most specific one, which for ``app.old.sub`` may be a rule of its own beside
        ``app.old``'s, sending it somewhere else."""
        if name == site.name or self._match is None:
            return site.rule
        entry = self._match(name)
        if entry is None or entry.rule is site.rule:
            return site.rule
        if entry.importers.contains(self._file.module) or entry.covers(self._file.module):
            raise Refused(f"the rule for {name!r} exempts this file: rewrite it by hand")
        return entry.rule

    def _module_for(self, site: Site, name: str) -> str:
        """The replacement of module *name* (at or under the rule's matched name)."""
        rule = self._rule_for(site, name)
        matched = site.name if rule is site.rule else name
        target = module_target(rule, matched)
        if target.refusal is not None or target.module is None:
            raise Refused(target.refusal or "no replacement")
        new = target.module + name[len(matched) :]
        if name != site.name and not self._index.exists(new):
            raise Refused(f"{new!r} (for {name!r}) is not in the tree")
        return new

    def _expression(self, site: Site) -> None:
        node = site.node
        if isinstance(node, ast.Attribute):
            self._deprecated_attribute(site, node)
            return
        if not isinstance(node, ast.Call):
            raise Refused("not a form fix can rewrite")
        callee = _last_name(node.func)
        if callee in IMPORT_CALLS:
            argument = _argument(node, 0, "name")
        elif callee in DOTTED_TARGET_CALLS:
            argument = _argument(node, 0, "target")
        else:
            raise Refused(f"{callee}() with a computed or deprecated name: rewrite it by hand")
        if not isinstance(argument, ast.Constant) or not isinstance(argument.value, str):
            raise Refused("the name is not a string literal")
        value = argument.value
        if site.deprecated:
            new = self._deprecated_target(site, value)
        elif callee in IMPORT_CALLS:
            new = self._import_call(site, node, callee or "", value)
        else:
            new = self._dotted_target(site, value)
        literal = string_literal(self._src, argument, new)
        if literal is None:
            raise Refused("the string is not one plain literal (escapes, f-string, parts)")
        start, end = self._src.span(argument)
        self._edits.append(Edit(start, end, literal.encode("utf-8")))
        self._rewritten += 1

    def _import_call(self, site: Site, call: ast.Call, callee: str, value: str) -> str:
        if callee == "__import__":
            level_node = _argument(call, 4, "level")
            fromlist = _argument(call, 3, "fromlist")
            if level_node is not None and not (
                isinstance(level_node, ast.Constant) and level_node.value == 0
            ):
                raise Refused("__import__() with a level: rewrite it by hand")
            names = fromlist.elts if isinstance(fromlist, ast.List | ast.Tuple) else []
            if not names:
                new = self._module_for(site, value) if value.startswith(site.name) else None
                if new is None or top(new) != top(value):
                    raise Refused("__import__() without a fromlist returns the top-level package")
                if not any(
                    isinstance(s, ast.Expr) and s.value is call for s in ast.walk(self._tree)
                ):
                    # It returns the top-level package, and the code goes on to the module
                    # through it (``__import__("app.old").old``): that spelling stays old.
                    raise Refused(
                        "__import__() without a fromlist returns the top-level package, which "
                        "the code uses: rewrite it by hand"
                    )
        resolved = value
        anchor = None
        if value.startswith("."):
            package = _argument(call, 1, "package")
            if isinstance(package, ast.Name) and package.id == "__package__":
                anchor_package = self._file.package
            elif isinstance(package, ast.Constant) and isinstance(package.value, str):
                anchor_package = package.value
            else:
                raise Refused("a relative name whose package cannot be read")
            resolved = resolve_relative(value, anchor_package) or ""
            anchor = resolve_relative("." * (len(value) - len(value.lstrip("."))), anchor_package)
        if not (resolved == site.name or resolved.startswith(site.name + ".")):
            raise Refused("the retired module is named in a fromlist: rewrite it by hand")
        new = self._module_for(site, resolved)
        if anchor is not None and new.startswith(anchor + "."):
            return "." * (len(value) - len(value.lstrip("."))) + new[len(anchor) + 1 :]
        return new

    def _dotted_target(self, site: Site, value: str) -> str:
        prefix = site.name
        if not (
            value.startswith(prefix) and value[len(prefix) : len(prefix) + 1] in ("", ".", ":")
        ):
            raise Refused("the target spells the module in a way fix does not follow")
        rule = site.rule
        module = value.partition(":")[0]
        while len(module) > len(prefix):  # the longest module a narrower rule decides
            rule = self._rule_for(site, module)
            if rule is not site.rule:
                prefix = module
                break
            module = module.rpartition(".")[0]
        target = module_target(rule, prefix)
        if target.refusal is not None or target.module is None:
            raise Refused(target.refusal or "no replacement")
        rest = value[len(prefix) :]
        first = re.split(r"[.:]", rest[1:])[0] if rest else ""
        if first:
            why = self._index.provides(target.module, first)
            if why is not None:
                raise Refused(why)
        return target.module + rest

    def _deprecated_target(self, site: Site, value: str) -> str:
        assert isinstance(site.rule, Deprecate)
        target = name_target(site.rule)
        if target.refusal is not None or target.module is None or target.attribute is None:
            raise Refused(target.refusal or "no replacement")
        why = self._index.provides(target.module, target.attribute)
        if why is not None:
            raise Refused(why)
        separator = ":" if ":" in value else "."
        return f"{target.module}{separator}{target.attribute}"

    def _deprecated_attribute(self, site: Site, node: ast.Attribute) -> None:
        assert isinstance(site.rule, Deprecate)
        target = name_target(site.rule)
        if target.refusal is not None or target.module is None or target.attribute is None:
            raise Refused(target.refusal or "no replacement")
        if target.module != site.rule.module:
            raise Refused(
                f"the replacement lives in another module: import {target.module!r} "
                f"and use {target.attribute!r}"
            )
        why = self._index.provides(target.module, target.attribute)
        if why is not None:
            raise Refused(why)
        _, end = self._src.span(node)
        spelled = node.attr.encode("utf-8")
        if self._src.data[end - len(spelled) : end] != spelled:
            raise Refused("the attribute is spelled in a way fix does not follow")
        self._edits.append(Edit(end - len(spelled), end, target.attribute.encode("utf-8")))
        self._rewritten += 1
