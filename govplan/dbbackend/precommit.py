"""Work done at the end of a transaction, just before it commits.

The audit chain is serialised on its head (govplan.audit.chain): whoever appends holds the
head's lock until commit. Taken in the middle of a transaction, that lock is held while the
transaction goes on to take row locks, and a transaction holding a row lock may be waiting
for the head: a deadlock (seen under load: a submission and a save, 62 in five minutes). So
audit entries are queued as they are recorded and appended here, when every other
statement of the transaction has run; the head's lock is then the last lock a transaction
takes, and is held only for the insert and the commit.

Where the queue is flushed:

- at the commit of the outermost ``atomic`` block (``commit``);
- in the test suite, whose tests run inside a transaction that never commits, when the
  outermost block that is not the test's own ends (``savepoint_commit``), so that a test
  sees the entries of the action it called, as production does after the commit.

A rollback drops the queue, and a rollback to a savepoint drops what was queued inside it,
as Django does with ``on_commit`` callbacks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Hook = Callable[[Any], None]

_hooks: list[Hook] = []


def register(hook: Hook) -> None:
    """``hook(connection)`` runs before each commit (and outermost block end in tests)."""
    if hook not in _hooks:
        _hooks.append(hook)


def only_test_blocks(connection: Any) -> bool:
    """True when every open ``atomic`` block is a test case's own (none of the application's)."""
    return all(getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


class PreCommitMixin:
    """Mixed into Django's DatabaseWrapper (postgresql/base.py, sqlite3/base.py)."""

    atomic_blocks: list[Any]
    in_atomic_block: bool
    savepoint_ids: list[str]

    def _run_precommit_hooks(self) -> None:
        for hook in _hooks:
            hook(self)

    def commit(self) -> None:
        if _hooks:
            # The hooks write through the ORM and register on_commit callbacks: they run as
            # inside the (already closed) outermost block, whose transaction is still open.
            outside = not self.in_atomic_block
            self.in_atomic_block = True
            try:
                self._run_precommit_hooks()
            except BaseException:
                self.in_atomic_block = not outside
                self.rollback()
                raise
            if outside:
                self.in_atomic_block = False
        super().commit()  # type: ignore[misc]

    def savepoint_commit(self, sid: str) -> None:
        if self.atomic_blocks and only_test_blocks(self):
            # The block ending is the application's outermost: its savepoint, which Atomic
            # has already taken off the list, is still open until released below.
            self.savepoint_ids.append(sid)
            try:
                self._run_precommit_hooks()
            finally:
                self.savepoint_ids.pop()
        super().savepoint_commit(sid)  # type: ignore[misc]

    def savepoint_rollback(self, sid: str) -> None:
        super().savepoint_rollback(sid)  # type: ignore[misc]
        for hook in _hooks:
            forget = getattr(hook, "forget_savepoint", None)
            if forget is not None:
                forget(self, sid)

    def rollback(self) -> None:
        super().rollback()  # type: ignore[misc]
        for hook in _hooks:
            forget = getattr(hook, "forget_all", None)
            if forget is not None:
                forget(self)

    def close(self) -> None:
        for hook in _hooks:
            forget = getattr(hook, "forget_all", None)
            if forget is not None:
                forget(self)
        super().close()  # type: ignore[misc]
