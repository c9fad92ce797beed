"""The import and export formats, declared once: the CLI's `--format` choices, format detection
and the importer all read these tables (adding a format: a parser module and one row here)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ImportFormat:
    name: str
    """What `--format` and detection call it."""
    description: str
    parser: str
    """`module:function` taking the decoded text (or, with `reads_source`, the whole Source)."""
    reads_source: bool = False
    """True for formats that may come as an XLSX workbook rather than text."""


IMPORT_FORMATS: dict[str, ImportFormat] = {
    fmt.name: fmt
    for fmt in (
        ImportFormat("sogou", "Sogou / QQ / 手心 custom phrases (PhraseEdit.txt)", "qr.transfer.sogou:parse_sogou"),
        ImportFormat("rime", "Rime custom_phrase.txt (text<TAB>code)", "qr.transfer.rime:parse_rime"),
        ImportFormat("qianniu", "Qianniu-style quick-phrase sheet (CSV or XLSX)", "qr.transfer.qianniu:parse_qianniu", reads_source=True),
        ImportFormat("espanso", "espanso match file (YAML)", "qr.transfer.espanso:parse_espanso"),
        ImportFormat("csv", "qr's own sheet (code,title,group,category,body,…)", "qr.transfer.generic_csv:parse_generic_csv"),
    )
}

AUTO = "auto"
"""`--format auto`: told from the content (qr.transfer.detect)."""

EXPORT_FORMATS: dict[str, str] = {
    "qianniu-csv": "Qianniu quick-phrase sheet, CSV (rendered text)",
    "qianniu-xlsx": "Qianniu quick-phrase sheet, XLSX (rendered text)",
    "sogou": "Sogou custom phrases, UTF-16 (rendered text)",
    "csv": "qr's own sheet (templates as written; lossless)",
}
