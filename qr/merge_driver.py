"""`python -m qr.merge_driver BASE OURS THEIRS PATH`: git's merge driver for the library's group files.

Installed by `qr team pull`/`publish` (`merge.qr.driver` in the clone's config, `merge=qr` for the
library's `*.toml` in `.git/info/attributes`), so a rebase or pull that meets two edits of one group
file merges them phrase by phrase (qr.store.merge): two leads who changed or added *different*
phrases never see a conflict, even when their lines touch (both appended at the end of the file).
The result is written over OURS as a minimal diff of it. When both changed the same phrase, git's
own line merge runs instead (conflict markers where the lines clash; exit 1), and the phrase is
named on stderr; `qr team` then stops and names it too. Kept apart from qr.cli on purpose: a broken
config must never break a merge, so nothing but the store is imported.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from qr.store.load import InvalidFile, parse_group
from qr.store.merge import merge_groups
from qr.store.models import Group
from qr.store.patch import patch_group_text


def _group(text: str, shown: str) -> Group | None:
    try:
        return parse_group(tomllib.loads(text), text, Path(shown), None)
    except (tomllib.TOMLDecodeError, InvalidFile, RecursionError, ValueError):
        return None


def merge_file(base: Path, ours: Path, theirs: Path, shown: str) -> int:
    """Merge THEIRS into OURS against BASE, writing OURS; 0 when clean, 1 when a phrase clashes."""
    texts = []
    for path in (base, ours, theirs):
        try:
            texts.append(path.read_bytes().decode("utf-8-sig"))
        except (OSError, UnicodeDecodeError):
            return _line_merge(base, ours, theirs, shown)
    groups = [_group(text, shown) for text in texts]
    if Path(shown).name.startswith("_") or any(group is None for group in groups):
        return _line_merge(base, ours, theirs, shown)
    base_group, our_group, their_group = groups
    assert base_group is not None and our_group is not None and their_group is not None  # checked just above
    merged = merge_groups(base_group, our_group, their_group)
    if not merged.clean:
        named = [conflict.label for conflict in merged.conflicts] + [f"group {name}" for name in merged.setting_conflicts]
        print(f"qr: {shown}: the same phrase was changed on both sides: {', '.join(named)}", file=sys.stderr)
        return _line_merge(base, ours, theirs, shown)
    text = patch_group_text(texts[1], our_group, merged.group)
    if text is None:
        from qr.store.save import dumps_group

        text = dumps_group(merged.group)
    ours.write_bytes(text.encode("utf-8"))
    return 0


def _line_merge(base: Path, ours: Path, theirs: Path, shown: str) -> int:
    """git's own line merge (conflict markers), for files qr does not merge phrase by phrase."""
    outcome = subprocess.run(
        ["git", "merge-file", "-L", "ours", "-L", "base", "-L", "theirs", str(ours), str(base), str(theirs)],
        check=False,
    )
    return 0 if outcome.returncode == 0 else 1


def main(argv: list[str]) -> int:
    if len(argv) != 4:
        print("usage: python -m qr.merge_driver BASE OURS THEIRS PATH", file=sys.stderr)
        return 2
    base, ours, theirs, shown = argv
    return merge_file(Path(base), Path(ours), Path(theirs), shown)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
