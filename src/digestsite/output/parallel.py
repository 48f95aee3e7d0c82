"""Forked worker processes, each doing one share of a job and sending back a small result.

Forked children inherit the whole site model, so nothing is pickled but what they send back. Each
child asks to die with the build that forked it, and the parent waits for all of them.
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import os
import traceback
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection, wait
from typing import Any

from digestsite.errors import DigestsiteError
from digestsite.lifetime import die_with_parent


def can_fork() -> bool:
    return "fork" in mp.get_all_start_methods()


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def run_forked(shares: Sequence[Callable[[], Any]], while_waiting: Callable[[], None] | None = None) -> list[Any]:
    """Run each share in a forked child; their results in order. A child's exception is raised here.

    The objects alive at the fork (the whole site model) are moved out of the garbage collector's sight
    first: otherwise each child's collections walk all of them again and again, and writing their
    collector headers copies every memory page the model lies on into each child.
    """
    context = mp.get_context("fork")
    parent = os.getpid()
    children = []
    gc.freeze()
    try:
        for share in shares:
            receiver, sender = context.Pipe(duplex=False)
            process = context.Process(target=_child, args=(share, sender, parent), daemon=True)
            process.start()
            sender.close()
            children.append((process, receiver))
    finally:
        gc.unfreeze()
    results: list[Any] = [None] * len(children)
    pending = {receiver: index for index, (_, receiver) in enumerate(children)}
    try:
        while pending:
            for receiver in wait(list(pending), timeout=0.05):
                index = pending.pop(receiver)  # type: ignore[call-overload]
                results[index] = _receive(receiver)
            if while_waiting is not None:
                while_waiting()
    finally:
        for process, receiver in children:
            if pending:
                process.kill()
            process.join()
            receiver.close()
    return results


def _child(share: Callable[[], Any], sender: Connection, parent: int) -> None:
    die_with_parent(parent)
    try:
        sender.send(("ok", share()))
    except BaseException as exc:
        try:
            sender.send(("error", exc))
        except Exception:  # an exception that does not pickle: send what it said
            sender.send(("error", DigestsiteError(f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}")))
    finally:
        sender.close()


def _receive(receiver: Connection) -> Any:
    try:
        status, value = receiver.recv()
    except EOFError:
        raise DigestsiteError("a worker process died before it finished its share") from None
    if status == "error":
        raise value
    return value
