"""`Record`: a frozen value class without `dataclasses`, and `replace` for it.

The library's models were frozen dataclasses. Every `qr` process defines them, a warm `qr search`
included, and there they cost ~19 ms of a ~60 ms process: importing `dataclasses` (which imports
inspect, ast, dis and tokenize) and generating and compiling each class's methods at import.
A `Record` behaves as such a dataclass does where qr relies on it: keyword and positional
construction, equality and hash over the compared fields, a repr, no assignment, pickling and
copying through `__dict__` (so cache files written by dataclass models still load), and
`replace`.

A subclass writes its `__init__`, which sets every field at once through `__dict__`; the fields
are that `__init__`'s parameters, read from its code object when the class is defined.
`NOT_COMPARED` names the fields equality and hash leave out (`field(compare=False)`).
"""

from __future__ import annotations

from operator import attrgetter

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: a warm `qr search` never needs it
if TYPE_CHECKING:
    from typing import Any, TypeVar

    R = TypeVar("R")


class Record:
    """A frozen value compared by its fields (see the module's docstring)."""

    FIELDS: tuple[str, ...] = ()
    """The fields, in the order of `__init__`'s parameters (set for each subclass)."""
    COMPARED: tuple[str, ...] = ()
    """The fields equality and hash use: FIELDS less NOT_COMPARED (set for each subclass)."""
    NOT_COMPARED: tuple[str, ...] = ()
    _compared_values: Any = None

    def __init_subclass__(cls) -> None:
        code = cls.__init__.__code__
        cls.FIELDS = code.co_varnames[1 : code.co_argcount + code.co_kwonlyargcount]
        cls.COMPARED = tuple(name for name in cls.FIELDS if name not in cls.NOT_COMPARED)
        getter = attrgetter(*cls.COMPARED)
        cls._compared_values = staticmethod(getter if len(cls.COMPARED) > 1 else lambda value: (getter(value),))

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return bool(self._compared_values(self) == self._compared_values(other))

    def __hash__(self) -> int:
        return hash(self._compared_values(self))

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.FIELDS)
        return f"{type(self).__qualname__}({fields})"

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")  # as a frozen dataclass says

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")


def replace(value: R, /, **changes: object) -> R:
    """A copy of `value` with `changes`, as `dataclasses.replace`, for a `Record` and for a
    dataclass alike: one `replace` for every frozen value qr edits."""
    fields = getattr(type(value), "FIELDS", None)
    if fields is None:
        from dataclasses import replace as replace_dataclass

        return replace_dataclass(value, **changes)  # type: ignore[type-var]
    for name in fields:
        if name not in changes:
            changes[name] = getattr(value, name)  # (not __dict__: a field may be computed on first use)
    return type(value)(**changes)
