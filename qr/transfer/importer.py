"""One entry point for reading an import file in any format: `parse_file(path, format)`."""

from __future__ import annotations

from pathlib import Path

from qr.transfer.detect import Source, read_source, sniff_format
from qr.transfer.entries import Parsed, TransferError

FORMAT_CHOICES = ("auto", "sogou", "rime", "qianniu", "espanso", "csv")


def parse_file(path: Path, fmt: str = "auto") -> tuple[Source, Parsed]:
    """Read and parse `path`; every failure is a TransferError whose message names the file."""
    source = read_source(path)
    try:
        chosen = sniff_format(source) if fmt == "auto" else fmt
        if source.is_workbook and chosen != "qianniu":
            raise TransferError(f"an XLSX workbook can only be a Qianniu sheet, not {chosen}")
        return source, _parse(source, chosen)
    except TransferError as error:
        message = str(error)
        if not message.startswith(str(path)):
            message = f"{path}: {message}"
        raise TransferError(message) from None


def _parse(source: Source, fmt: str) -> Parsed:
    if fmt == "sogou":
        from qr.transfer.sogou import parse_sogou

        return parse_sogou(source.text)
    if fmt == "rime":
        from qr.transfer.rime import parse_rime

        return parse_rime(source.text)
    if fmt == "qianniu":
        from qr.transfer.qianniu import parse_qianniu

        return parse_qianniu(source)
    if fmt == "espanso":
        from qr.transfer.espanso import parse_espanso

        return parse_espanso(source.text)
    if fmt == "csv":
        from qr.transfer.generic_csv import parse_generic_csv

        return parse_generic_csv(source.text)
    raise TransferError(f"unknown format {fmt!r} (choose {', '.join(FORMAT_CHOICES)})")


def default_group_name(path: Path) -> str:
    """Phrases from a file without groups go into a group named after the file."""
    return path.stem.strip() or "导入"
