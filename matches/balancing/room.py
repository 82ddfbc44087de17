"""Room on CPython's frame stack for the searches' recursion (``with_room``).

CPython (3.11 here; 3.12 and 3.13 alike) keeps Python frames in chunks of 16 KiB, and
unmaps a chunk as soon as the frame at its start returns. The searches recurse a few
dozen frames deep and back, up to hundreds of thousands of times a call. When the
caller's stack happens to end a little before the end of a chunk, every recursion across
the boundary maps a new chunk and unmaps it again. Measured here, in one process,
calling ``balance`` from under 0 to 63 extra frames: 24 players in 7 teams took 74 to 78
ms at most depths and up to 175 ms at others (15 000 page faults a call); 24 in 9 teams
81 to 128 ms; newcomers in 24 in 10 teams 112 to 204 ms. Behind ``with_room`` the same
calls took 73 to 76, 76 to 78 and 112 to 121 ms at every depth, with 20 page faults
each.

``with_room`` calls through a frame of over 64 KiB (unused local variables), which
CPython must place at the start of a fresh chunk, sized 128 KiB to hold it: the
searches' frames fit behind it, in memory mapped once a call, whatever the caller's
depth. A Django view calls from some 50 frames deep, the benchmark from a handful, so
without it the benchmark would not measure what the API gets.
"""

from __future__ import annotations

import functools
import types
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

SLOTS = 8_300  # the spacer's local variables, 8 bytes each: past 64 KiB, so a 128 KiB chunk


def spacer(slots: int) -> Callable[[Callable[[], T]], T]:
    """A function calling ``run()`` from a frame with ``slots`` more local variables, never
    set: the code of ``_call`` with more names, and nothing else changed."""
    code = _call.__code__
    if code.co_cellvars or code.co_freevars:
        # They sit after the locals in a frame, where the code finds them by position:
        # more locals would move them.
        raise TypeError("a spacer's code must have no cells or free variables")
    names = (*code.co_varnames, *(f"_{i}" for i in range(slots)))
    return types.FunctionType(code.replace(co_varnames=names, co_nlocals=len(names)), {})


def _call(run: Callable[[], T]) -> T:
    return run()


_spacer = spacer(SLOTS)


def with_room(function: Callable[P, T]) -> Callable[P, T]:
    """``function``, called with its frames at the start of a fresh frame-stack chunk."""

    @functools.wraps(function)
    def call(*args: P.args, **kwargs: P.kwargs) -> T:
        return _spacer(lambda: function(*args, **kwargs))

    return call
