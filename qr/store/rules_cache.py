"""Data the word rules derive from files, kept on disk so a fresh `qr check` does not derive it again.

The rules' tables (the word lists parsed, every term folded, the trie shaped, each expression's
triggers found and its compiled program: `qr.store.regex_programs`) are most of what a fresh process spends on the rules, and depend only on their
inputs. They are kept in `<cache dir>/rules/<hash of the library path>.rules`, and the fold
tables made from OpenCC's character table in `<cache dir>/rules/fold-by-*.table`. Each file is a key and a CRC of
the rest, then `marshal` data (plain strings, numbers, tuples and dicts; no code is loaded from it).

The tables' key is a digest of everything they are made from: the built-in lists, the code that
builds them, OpenCC's table, the Python version, the library's `[rules]` and the content of each
`[rules] files` list. Any change gives a new key and the file is rebuilt; a file that cannot be
read or decoded is ignored (rebuilt), and one that cannot be written only costs the next process
the build. Writes are atomic.
"""

from __future__ import annotations

import marshal
import sys
import zlib
from pathlib import Path

from qr.store.digest import sha1

TYPE_CHECKING = False
if TYPE_CHECKING:
    from qr.store.models import RuleConfig

FORMAT = b"qr-rules 4\n"
"""Bump when the tables change shape (the code digest in the key catches most changes anyway)."""
_HERE = Path(__file__).parent
_CODE = ("word_rules.py", "triggers.py", "textprep.py", "rules_cache.py", "regex_programs.py")


def cache_file(root: Path) -> Path:
    """The tables of the library at `root`."""
    return named_file(sha1(str(root).encode("utf-8", "surrogatepass")).hexdigest()[:24] + ".rules")


def named_file(name: str) -> Path:
    from qr.config import cache_dir

    return cache_dir() / "rules" / name


def digest_of(text: str) -> bytes:
    """A key for `read`/`write` made of `text` and the Python that writes the data."""
    return sha1(f"{text}\0{sys.version}\0{marshal.version}".encode("utf-8", "surrogatepass")).hexdigest().encode("ascii")


def tables_key(config: RuleConfig, root: Path, data: Path, opencc: Path | None) -> bytes:
    """A digest of every input of the tables: the lists in `data`, the code that builds them,
    OpenCC's table, Python, `[rules]` and its lists (OSError when qr's own files cannot be read)."""
    import _sre  # the regex engine the kept programs are for

    digest = sha1(FORMAT)
    digest.update(f"{sys.version}\n{marshal.version}\n{_sre.MAGIC}\n{root}\n{config.cache_key!r}\n".encode("utf-8", "surrogatepass"))
    for name in _CODE:
        digest.update((_HERE / name).read_bytes())
    for path in sorted(data.iterdir()):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    if opencc is not None:
        stat = opencc.stat()
        digest.update(f"{opencc}\0{stat.st_size}\0{stat.st_mtime_ns}".encode("utf-8", "surrogatepass"))
    for name in config.files:  # an outside list: its content, or why it cannot be read
        try:
            content = (root / Path(name).expanduser()).read_bytes()
        except OSError as error:
            content = f"unreadable: {type(error).__name__} {error.errno}".encode()
        digest.update(b"\0file\0" + sha1(content).digest())
    return digest.hexdigest().encode("ascii")


def read(path: Path, key: bytes) -> object | None:
    """What `write` saved under `key` (None when the file is missing, has another key or is damaged)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    head, newline, body = data.partition(b"\n")
    if not newline or head != key + b" " + str(zlib.crc32(body)).encode("ascii"):
        return None
    try:
        return marshal.loads(body)
    except (ValueError, EOFError, TypeError):
        return None


def write(path: Path, key: bytes, values: tuple | dict | str) -> None:
    """Save `values` (marshal data) under `key`, atomically; a folder that cannot be written only
    costs the next process the build."""
    from qr.store.save import atomic_write

    try:
        body = marshal.dumps(values)
        atomic_write(path, key + b" " + str(zlib.crc32(body)).encode("ascii") + b"\n" + body)
    except (OSError, ValueError):
        pass
