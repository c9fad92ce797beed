"""User-facing messages as an id plus arguments, turned into words at the edge (no Textual here).

The core (store, save, import/export, team) never builds an English sentence for a user: it returns
or raises a `Message`, whose `id` is a key of the catalogue in `qr/i18n.py` (both languages) and
whose `args` fill the key's `{placeholders}`. Whoever shows it decides the language:

    from qr.messages import Message, MessageError
    raise SaveError(Message("save.exists", path=group.path))   # core
    str(error)            # the UI/CLI language set with qr.i18n.set_language (English by default)
    error.message.english # for logs and tests that want the English text

An argument that is itself a Message is translated in the same language, so a reason can be
nested in a sentence (`Message("edit.problems", problems=(Message("edit.title_empty"),))`).
The catalogue is imported only when a message is turned into text: a warm `qr search` that
reports nothing never loads it.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (the warm search path)
if TYPE_CHECKING:
    from collections.abc import Mapping


class Message:
    """A sentence for the user: a catalogue id and the values of its placeholders. Immutable and
    compared by value (id and args). A plain class, not a dataclass: it is defined on every run,
    a warm `qr search` included, and a dataclass costs ~0.6 ms to define."""

    __slots__ = ("args", "id")
    id: str
    args: Mapping[str, object]

    def __init__(self, id: str, /, **args: object) -> None:
        object.__setattr__(self, "id", id)
        object.__setattr__(self, "args", args)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")  # as a frozen dataclass says

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Message)
        return (self.id, self.args) == (other.id, other.args)

    def __repr__(self) -> str:
        return f"Message(id={self.id!r}, args={self.args!r})"

    def __reduce__(self) -> tuple[object, ...]:  # pickled (a worker's results) by id and args
        return (_message, (self.id, dict(self.args)))

    def text(self, lang: str | None = None) -> str:
        """The sentence in `lang` ("zh"/"en"), by default the current UI/CLI language."""
        return translate(self.id, self.args, lang)

    @property
    def english(self) -> str:
        return self.text("en")

    def __str__(self) -> str:
        return self.text()

    def __hash__(self) -> int:  # args may hold lists; equal messages have equal ids and names
        return hash((self.id, tuple(sorted(self.args))))


def _message(id: str, args: dict[str, object]) -> Message:
    return Message(id, **args)


class MessageError(Exception):
    """An error whose text is a Message; `str()` gives it in the current language.

    A plain string is accepted too (kept as it is, untranslated) so that callers can be moved
    over one at a time; new code passes a Message.
    """

    def __init__(self, message: Message | str) -> None:
        super().__init__(message)
        self.message = message

    def text(self, lang: str | None = None) -> str:
        return self.message.text(lang) if isinstance(self.message, Message) else self.message

    def __str__(self) -> str:
        return self.text()


def translate(key: str, values: Mapping[str, object], lang: str | None = None) -> str:
    """A message's text in `lang` (default: the current language); nested messages too.

    Here, not in qr.i18n: the catalogue is data this module reads, and qr.i18n imports nothing
    of the messages (no import circle between the two)."""
    from qr.i18n import CATALOGUE, EN, current_language

    lang = lang if lang in CATALOGUE else current_language()
    text = CATALOGUE[lang].get(key) or EN.get(key) or key
    if not values:
        return text
    return text.format(**{name: text_of(value, lang) for name, value in values.items()})


def text_of(value: object, lang: str | None = None) -> str:
    """`value` as text in `lang`: a Message or MessageError translated, a tuple of them joined
    with "; " (Chinese "；"), anything else `str()`."""
    if isinstance(value, (Message, MessageError)):
        return value.text(lang)
    if isinstance(value, tuple) and value and all(isinstance(item, (Message, MessageError)) for item in value):
        return translate("messages.separator", {}, lang).join(item.text(lang) for item in value)
    return str(value)


def to_plain(message: Message | str) -> str | tuple[str, tuple[tuple[str, object], ...]]:
    """A message as plain values (for the index cache, which unpickles no class of ours)."""
    if not isinstance(message, Message):
        return message
    return (message.id, tuple((name, value if isinstance(value, (str, int)) else str(value)) for name, value in message.args.items()))


def from_plain(value: object) -> Message | str | None:
    """The inverse of `to_plain`; None when `value` is not of its form (a damaged cache)."""
    if isinstance(value, str):
        return value
    if not (isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str) and isinstance(value[1], tuple)):
        return None
    args: dict[str, object] = {}
    for pair in value[1]:
        if not (isinstance(pair, tuple) and len(pair) == 2 and isinstance(pair[0], str) and isinstance(pair[1], (str, int))):
            return None
        args[pair[0]] = pair[1]
    return Message(value[0], **args)
