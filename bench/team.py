"""Time the team commands on generated libraries shared through a local bare repository.

    python bench/team.py [SIZE ...]      (default: 1000 10000)

For each size: a lead clone publishes one edited phrase (lint + commit + push), an agent clone
checks how far it is behind (the launcher's background check), shows status and pulls; then both
publish at once and the second one rebases; then both append a phrase to the same group file and
the second publish merges them phrase by phrase (git's own line merge stops there on a conflict). Prints a table, then JSON. No network: the remote is
a local path. Git runs with a throwaway HOME so the user's git config is neither read nor changed.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate

from qr.team import behind_remote, publish, pull, status


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def timed(function) -> tuple[float, object]:
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def edit_first_body(library: Path, marker: str) -> Path:
    """Append `marker` to the first phrase body of the first group file (a real one-phrase edit)."""
    path = sorted(p for p in library.rglob("*.toml") if not p.name.startswith("_"))[0]
    text = path.read_text(encoding="utf-8")
    start = text.index('body = "') + len('body = "') if 'body = "' in text else text.index('body = """\n') + len('body = """\n')
    path.write_text(text[:start] + marker + text[start:], encoding="utf-8")
    return path


def edit_last_body(library: Path, marker: str) -> None:
    path = sorted(p for p in library.rglob("*.toml") if not p.name.startswith("_"))[-1]
    text = path.read_text(encoding="utf-8")
    key = 'body = "' if text.rfind('body = "') > text.rfind('body = """') else 'body = """\n'
    start = text.rindex(key) + len(key)
    path.write_text(text[:start] + marker + text[start:], encoding="utf-8")


def append_phrase_to_first_file(library: Path, code: str) -> None:
    """Append a new phrase at the end of the first group file (git alone conflicts with an edit
    at the end of the same file; qr's phrase-level merge driver does not)."""
    path = sorted(p for p in library.rglob("*.toml") if not p.name.startswith("_"))[0]
    with path.open("a", encoding="utf-8") as file:
        file.write(f'\n[[phrases]]\ncode = "{code}"\ntitle = "新增{code}"\nbody = "亲，新增的回复。"\n')


def measure(size: int, repeat: int = 3) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        remote, lead, agent = base / "remote.git", base / "lead", base / "agent"
        git(base, "init", "--quiet", "--bare", "-b", "main", str(remote))
        git(base, "init", "--quiet", "-b", "main", str(lead))
        for clone in (lead,):
            git(clone, "config", "user.name", "lead")
            git(clone, "config", "user.email", "lead@example.com")
        generate(size, lead)
        # The generator's made-up text trips two word rules (a bench of git, not of wording): a review
        # incentive is allowed, and "Tracking number 100" (read as the absolute term "number 1") renamed.
        with (lead / "_library.toml").open("a", encoding="utf-8") as settings:
            settings.write('\n[rules]\nallow = ["晒图返现"]\n')
        for path in lead.rglob("*.toml"):
            text = path.read_text(encoding="utf-8")
            if "Tracking number " in text:
                path.write_text(text.replace("Tracking number ", "Tracking no. "), encoding="utf-8")
        git(lead, "add", ".")
        git(lead, "commit", "--quiet", "-m", "generated")
        git(lead, "remote", "add", "origin", str(remote))
        git(lead, "push", "--quiet", "-u", "origin", "main")
        git(base, "clone", "--quiet", str(remote), str(agent))
        git(agent, "config", "user.name", "agent")
        git(agent, "config", "user.email", "agent@example.com")

        rows: dict[str, list[float]] = {"publish": [], "behind_remote": [], "status": [], "pull": [], "publish_rebased": [], "publish_merged": []}
        merged_ok = True
        for round_ in range(repeat):
            edit_first_body(lead, f"[{round_}]")
            seconds, result = timed(lambda: publish(lead))
            assert result.pushed == 1, result
            rows["publish"].append(seconds)
            seconds, behind = timed(lambda: behind_remote(agent))
            assert behind == 1, behind
            rows["behind_remote"].append(seconds)
            rows["status"].append(timed(lambda: status(agent))[0])
            seconds, pulled = timed(lambda: pull(agent))
            assert pulled.commits == 1
            rows["pull"].append(seconds)
            # Both publish at once: the agent-side lead is rejected, rebases and pushes.
            edit_first_body(lead, f"<{round_}>")
            edit_last_body(agent, f"<{round_}>")
            publish(lead)
            seconds, result = timed(lambda: publish(agent))
            assert result.rebased, result
            rows["publish_rebased"].append(seconds)
            pull(lead)
            # Both add a phrase at the end of the same file: git's line merge conflicts, qr's does not.
            append_phrase_to_first_file(lead, f"zy{round_}")
            append_phrase_to_first_file(agent, f"zz{round_}")
            publish(lead)
            try:
                seconds, result = timed(lambda: publish(agent))
                rows["publish_merged"].append(seconds)
            except Exception:  # without the merge driver git stops here on a conflict
                merged_ok = False
                git(agent, "rebase", "--abort")
                git(agent, "reset", "--quiet", "--hard", "origin/main")
            pull(lead)
        result = {"phrases": size, **{name: round(statistics.median(values), 3) if values else None for name, values in rows.items()}}
        result["same_file_merged"] = merged_ok
        return result


def main(argv: list[str]) -> None:
    os.environ["GIT_CONFIG_NOSYSTEM"] = "1"
    with tempfile.TemporaryDirectory() as home:
        os.environ["HOME"] = home
        os.environ.pop("XDG_CONFIG_HOME", None)
        sizes = [int(arg) for arg in argv] or [1000, 10000]
        rows = [measure(size) for size in sizes]
    print(f"{'phrases':>8} {'publish':>9} {'behind_remote':>14} {'status':>8} {'pull':>8} {'publish+rebase':>15} {'same file':>10}")
    for row in rows:
        merged = f"{row['publish_merged']:>8.3f} s" if row["publish_merged"] is not None else "  conflict"
        print(
            f"{row['phrases']:>8} {row['publish']:>7.3f} s {row['behind_remote']:>12.3f} s {row['status']:>6.3f} s "
            f"{row['pull']:>6.3f} s {row['publish_rebased']:>13.3f} s {merged}"
        )
    print(json.dumps({"python": sys.version.split()[0], "results": rows}, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
