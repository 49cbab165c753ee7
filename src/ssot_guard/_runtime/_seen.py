"""What the every-caller watch knows of one retired module: its rule, the locations seen.

``Seen.note`` is the slow path of a watched module's ``__getattribute__`` (see
``_callers``): a read from an instruction not seen before. It decides whether the
read is a use (not introspection, not the module's own loader, not a reload),
finds the caller past importlib's and the helpers' frames, and records and warns
once per location. Its memory of code objects is weak: code compiled and dropped
per request must not be kept alive.
"""

from __future__ import annotations

import os
import sys
from _weakref import ref

from .._base._fork import fork_safe_lock
from .._base._frames import ON_BEHALF, frame_location, user_frame, warn_at
from .._base._messages import describe
from .._report._record import record_at
from ._watch import WatchedLoader

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from types import CodeType, FrameType
    from weakref import ReferenceType

    from .._base._modes import Mode
    from .._rules._matcher import CompiledRule


def _is_reload(code: CodeType) -> bool:
    """Whether *code* is ``importlib.reload``'s (looked up here: importing importlib costs)."""
    reload = getattr(sys.modules.get("importlib"), "reload", None)
    return code is getattr(reload, "__code__", None)


def _is_probe(frame: FrameType) -> bool:
    """Whether *frame* is ``importlib.util.find_spec`` only looking (for its caller, or pkgutil).

    Not when runpy called it: runpy runs the module it finds.
    """
    find_spec = getattr(sys.modules.get("importlib.util"), "find_spec", None)
    if frame.f_code is not getattr(find_spec, "__code__", None):
        return False
    back = frame.f_back
    return back is None or not back.f_code.co_filename.startswith(_RUNPY)


_RUNPY = tuple(helper for helper in ON_BEHALF if "runpy" in helper)
# inspect.getmembers (and pydoc, help(), IDE helpers built on it) reads every name to
# show it: it looks at the module, it does not use it (as for [[deprecate]]).
_INSPECT = os.path.join(os.path.dirname(os.__file__), "inspect.py")


# IMPORT_NAME up to 3.12 (it is 108 in both), where an import statement reading
# the module's ``__spec__`` discards what that raises (import_ensure_initialized).
_IMPORT_NAME = 108 if sys.version_info < (3, 13) else None


def _discards(frame: FrameType) -> bool:
    """Whether what *frame*'s read of ``__spec__`` raised is discarded by the interpreter."""
    code = frame.f_code.co_code
    lasti = frame.f_lasti
    return _IMPORT_NAME is not None and 0 <= lasti < len(code) and code[lasti] == _IMPORT_NAME


class Seen:
    """What one watched module knows: its rule, and the locations already seen."""

    __slots__ = (
        "__weakref__",  # for fork_safe_lock
        "codes",
        "entry",
        "importers",
        "lines",
        "lock",
        "lost",
        "mode",
        "name",
        "seen",
    )

    def __init__(self, name: str, entry: CompiledRule, mode: Mode) -> None:
        self.name = name
        self.entry = entry
        self.mode = mode
        #: ``(id(code), f_lasti)`` of every instruction handled: the fast path's one
        #: lookup. The instruction rather than the line: ``f_lineno`` is computed
        #: from the code's line table at each read. By id: code objects compare
        #: equal across files when their bytecode is equal (two modules that are
        #: just ``import a.old``), and hashing one is slow. When the code dies, its
        #: entries go (``codes``), before its id can be reused for other code.
        self.seen: set[tuple[int, int]] = set()
        #: ``(id(code), line)`` of every location handled, for the slow path.
        self.lines: set[tuple[int, int]] = set()
        #: ``id(code)`` -> a weak reference to the code, and its entries in ``seen``
        #: and ``lines``. Weak: code compiled and dropped again and again (a template
        #: rendered per request) must not be kept alive, ~1 kB each, for ever.
        self.codes: dict[int, tuple[ReferenceType[CodeType], list[tuple[int, int]]]] = {}
        #: Importers already recorded: a later use in the same module is no new caller.
        self.importers: set[str] = set()
        #: Importer -> the error its import statement raised and the interpreter
        #: discarded (up to 3.12; see ``_discards``): raised at its next read.
        self.lost: dict[str, BaseException] = {}
        # Renewed in a forked child: threads reading from new lines contend for it,
        # so a fork may land while one of them holds it.
        self.lock = fork_safe_lock(self, "lock")

    def note(self, name: str, frame: FrameType) -> None:
        """The slow path: *frame* read *name* from an instruction not seen before."""
        if name[:2] == "__" and name != "__spec__":
            return  # introspection (``__file__``, ``__dict__``, ``__path__``), not a use
        if frame.f_code.co_filename == _INSPECT:
            return  # introspection too: inspect.getmembers, pydoc, help()
        back = frame.f_back
        if back is not None and back.f_code is _LOADING:
            # The module's own loader, loading it (pytest's assertion rewriter reads
            # ``__spec__`` in ``exec_module``): part of the import, not a caller.
            return
        if _is_reload(frame.f_code):
            return  # importlib.reload() goes on to the finder, which records it
        # The same walk as every other violation's: past importlib, ssot_guard and the
        # helpers that import on a caller's behalf (mock.patch, pkgutil.resolve_name).
        caller = user_frame(frame)
        if caller is None:
            return
        code = caller.f_code
        line = (id(code), caller.f_lineno)
        importer, filename, _ = frame_location(caller)
        who = importer or filename or "?"
        if self.lost:
            with self.lock:
                error = self.lost.pop(who, None)
            if error is not None:
                raise error.with_traceback(None)
        instruction = (id(code), caller.f_lasti)
        with self.lock:
            if caller is frame:
                # Only a caller's own instruction may take the fast path: one
                # seen through importlib's frames is looked up here each time.
                self.seen.add(instruction)
                self._keep(code, instruction)
            if line in self.lines:
                return
            self.lines.add(line)
            self._keep(code, line)
            if name != "__spec__" and who in self.importers:
                return  # its import was recorded; another use there is the same caller
            if importer is not None and (
                # The retired package's own parts, and importers the rule allows.
                self.entry.importers.contains(importer) or self.entry.covers(importer)
            ):
                return
            new_importer = who not in self.importers
            self.importers.add(who)
        rule = self.entry.rule
        use = rule.replacement_for(self.name)
        record_at(
            caller,
            "import",
            self.name,
            rule.source,
            reason=rule.reason,
            replacement=use,
            mode=self.mode,
        )
        if _is_probe(frame):
            return  # recorded, not warned about, as the finder does for a spec never loaded
        try:
            warn_at(
                caller,
                describe("import", self.name, use=use, reason=rule.reason, rule=rule.source),
            )
        except BaseException as error:
            # An error filter raised the warning instead of showing it.
            with self.lock:
                if name == "__spec__" and caller is frame and _discards(frame):
                    # The import statement goes on as if nothing was raised: the
                    # importer's next read raises it (its location stays recorded).
                    self.lost[who] = error
                    raise
                # The location is not handled: its next read raises again, as an
                # import that reached the finder again would.
                if caller is frame:
                    self.seen.discard(instruction)
                self.lines.discard(line)
                if new_importer:
                    self.importers.discard(who)
            raise

    def first_importer(self, frame: FrameType | None) -> None:
        """The finder recorded *frame*'s import: its uses are the same caller."""
        if frame is None:
            return
        importer, filename, _ = frame_location(frame)
        code = frame.f_code
        with self.lock:
            instruction, line = (id(code), frame.f_lasti), (id(code), frame.f_lineno)
            self.seen.add(instruction)
            self.lines.add(line)
            self._keep(code, instruction)
            self._keep(code, line)
            self.importers.add(importer or filename or "?")

    def _keep(self, code: CodeType, key: tuple[int, int]) -> None:
        """*key* (in ``seen`` or ``lines``) stands for *code* until it dies. Under ``lock``."""
        ident = key[0]
        kept = self.codes.get(ident)
        if kept is None:
            kept = self.codes[ident] = (ref(code, lambda _: self._forget(ident)), [])
        kept[1].append(key)

    def _forget(self, ident: int) -> None:
        """The code whose id was *ident* died: its entries go, before the id is reused.

        A weak reference's callback runs wherever the code happens to die, maybe in
        this thread while it holds ``lock``: no lock here, each step is one operation.
        """
        kept = self.codes.pop(ident, None)
        if kept is None:
            return
        for key in kept[1]:
            self.seen.discard(key)
            self.lines.discard(key)


_LOADING = WatchedLoader.exec_module.__code__  # ours, which calls the real loader's
