"""`qr paths [--json]`: where qr keeps its config file, data and cache on this computer."""

from __future__ import annotations

from qr.cli import Command, out, print_json, tr, warn

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    import argparse
    from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="cli.paths.json")


def run(args: argparse.Namespace) -> int:
    from qr.config import ConfigError, cache_dir, config_dir, data_dir, load_config, resolve_libraries, select_profile, usage_path

    config_file = config_dir() / "config.toml"
    libraries: list[Path] = []
    try:  # the libraries come from the config: a broken one must not hide where it is
        config = load_config(config_file)
        option = getattr(args, "library", None)
        libraries = resolve_libraries(option, config, select_profile(getattr(args, "profile", None), config, library_option=option))
    except ConfigError as error:
        warn(str(error))
    paths = {"config": config_file, "data": data_dir(), "cache": cache_dir(), "usage": usage_path()}
    if args.json:
        print_json({**{name: str(path) for name, path in paths.items()}, "libraries": [str(path) for path in libraries]})
        return 0
    rows = [(tr(f"cli.paths.{name}"), str(path) + ("" if path.exists() else tr("cli.paths.missing"))) for name, path in paths.items()]
    rows += [(tr("cli.paths.library"), str(path)) for path in libraries]
    width = max(_width(label) for label, _ in rows)
    for label, value in rows:
        out(f"{label}{' ' * (width - _width(label))}  {value}")
    return 0


def _width(text: str) -> int:
    """Columns `text` takes in a terminal (CJK characters take two)."""
    from unicodedata import east_asian_width

    return sum(2 if east_asian_width(char) in "WF" else 1 for char in text)


COMMAND = Command("paths", "cli.paths", add_arguments, run)
