"""One entry point for reading an import file in any format: `parse_file(path, format)`."""

from __future__ import annotations

from pathlib import Path

from qr.messages import Message
from qr.transfer.detect import Source, read_source, sniff_format
from qr.transfer.entries import Parsed, TransferError
from qr.transfer.formats import AUTO, IMPORT_FORMATS


def parse_file(path: Path, fmt: str = "auto") -> tuple[Source, Parsed]:
    """Read and parse `path`; every failure is a TransferError whose message names the file."""
    source = read_source(path)
    try:
        chosen = sniff_format(source) if fmt == AUTO else fmt
        if source.is_workbook and chosen != "qianniu":
            raise TransferError(Message("import.workbook_not_qianniu", format=chosen))
        return source, _parse(source, chosen)
    except (RecursionError, MemoryError, UnicodeError) as error:
        # a parser (YAML nests by recursion, CSV and XLSX hold rows in memory) must never take
        # the import down with exit 70: the file is refused with what went wrong
        reason = {RecursionError: "import.too_deep", MemoryError: "import.no_memory"}.get(type(error), "import.bad_text")
        raise TransferError(Message("import.in_file", path=str(path), error=Message(reason))) from None
    except TransferError as error:
        message = error.message
        if isinstance(message, Message) and "path" in message.args:
            raise
        raise TransferError(Message("import.in_file", path=str(path), error=message)) from None


def _parse(source: Source, fmt: str) -> Parsed:
    from importlib import import_module

    declared = IMPORT_FORMATS.get(fmt)
    if declared is None:
        raise TransferError(Message("import.no_such_format", format=fmt, formats=", ".join((AUTO, *IMPORT_FORMATS))))
    module, _, function = declared.parser.partition(":")
    parse = getattr(import_module(module), function)  # only the chosen format's parser is imported
    return parse(source if declared.reads_source else source.text)


def default_group_name(path: Path) -> str:
    """Phrases from a file without groups go into a group named after the file."""
    return path.stem.strip() or "导入"
