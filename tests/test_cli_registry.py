"""The CLI package's registry (qr/cli/__init__.py): every subcommand module declares itself, and
the import/export formats come from one table that the CLI, detection and the importer share."""

from __future__ import annotations

import argparse
from importlib import import_module
from pathlib import Path

import pytest

from qr.cli import COMMANDS, command, main
from qr.cli.parser import build_parser
from qr.transfer.detect import read_source, sniff_format
from qr.transfer.entries import TransferError
from qr.transfer.formats import AUTO, EXPORT_FORMATS, IMPORT_FORMATS
from qr.transfer.importer import parse_file


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_module_declares_the_command_it_is_registered_as(name):
    declared = command(name)
    assert declared.name == name
    assert declared.help and callable(declared.add_arguments) and callable(declared.run)


def test_every_module_in_the_package_is_registered_or_the_launcher_or_argparse():
    folder = Path(import_module("qr.cli").__file__).parent
    modules = {f"qr.cli.{path.stem}" for path in folder.glob("*.py") if path.stem != "__init__"}
    assert modules - set(COMMANDS.values()) == {"qr.cli.launch", "qr.cli.parser"}


def _choices(argv: list[str], option: str) -> tuple[str, ...]:
    parser = build_parser(argv)
    sub = next(action for action in parser._actions if isinstance(action, argparse._SubParsersAction)).choices[argv[0]]
    return tuple(next(action for action in sub._actions if option in action.option_strings).choices)


def test_format_choices_come_from_the_table():
    assert _choices(["import"], "--format") == (AUTO, *IMPORT_FORMATS)
    assert _choices(["export"], "--format") == tuple(EXPORT_FORMATS)


@pytest.mark.parametrize("fmt", list(IMPORT_FORMATS.values()), ids=list(IMPORT_FORMATS))
def test_each_declared_import_format_has_its_parser(fmt):
    module, _, function = fmt.parser.partition(":")
    assert callable(getattr(import_module(module), function))


def test_detection_and_importer_name_the_declared_formats(tmp_path):
    unknown = tmp_path / "notes.txt"
    unknown.write_text("just some words\nand more words\n", encoding="utf-8")
    with pytest.raises(TransferError) as raised:
        sniff_format(read_source(unknown))
    assert "|".join(IMPORT_FORMATS) in str(raised.value)
    with pytest.raises(TransferError) as raised:
        parse_file(unknown, "bogus")
    assert all(name in str(raised.value) for name in (AUTO, *IMPORT_FORMATS))


def test_rime_file_parses_through_the_table(tmp_path, capsys):
    rime = tmp_path / "custom_phrase.txt"
    rime.write_text("您好，在的\tnh\n稍等一下\tsd\n", encoding="utf-8")
    code = main(["import", str(rime), "--into", str(tmp_path / "lib"), "--format", "rime", "--dry-run"])
    assert code == 0
    assert "rime" in capsys.readouterr().out


def test_every_package_of_qr_is_in_the_wheel():
    """A non-editable install (CI's `pip install .`) ships only the packages pyproject.toml lists."""
    import tomllib

    root = Path(__file__).resolve().parent.parent
    listed = set(tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    packages = {".".join(path.parent.relative_to(root).parts) for path in (root / "qr").rglob("__init__.py")}
    assert packages <= listed, sorted(packages - listed)


def test_every_help_text_is_a_catalogue_id_in_both_languages():
    """So `qr --help` is Chinese under a Chinese locale for every subcommand, present and future."""
    from qr.i18n import EN, ZH

    builtin = {"show this help message and exit"}  # argparse's own, translated by its English text
    missing: list[str] = []

    def walk(parser: argparse.ArgumentParser, path: str) -> None:
        if parser.description and parser.description not in EN:
            missing.append(f"{path}: description {parser.description!r}")
        for action in parser._actions:
            if action.help and action.help != argparse.SUPPRESS and action.help not in builtin and not (action.help in EN and action.help in ZH):
                missing.append(f"{path} {action.dest}: {action.help!r}")
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, f"{path} {name}")

    walk(build_parser(), "qr")
    assert missing == []
