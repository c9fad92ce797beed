"""The team library over git: status, pull (fast-forward only) and publish.

qr drives the plain `git` command with subprocess, so a team needs nothing but git and a remote
(a company server, a hosted repository, a bare repository on a network drive). Publishing lints
first, commits only the library's own files with a message naming the changed codes, rebases on a
rejected push and stops with the conflicting phrases named; nothing is ever force-pushed.
No Textual here: the CLI and the launcher's background check both use this module.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import threading
import time
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from qr.messages import Message, MessageError
from qr.store.lint import lint
from qr.store.load import LIBRARY_FILE, InvalidFile, load_library, parse_group
from qr.store.models import Group, Phrase, natural_key

CHECK_TIMEOUT = 8.0
"""Seconds the launcher's background check lets a fetch run (it must never hang around)."""
MAX_SUBJECT = 72
STOP_POLL = 0.1
"""Seconds between two looks at a background fetch's stop flag."""


class TeamError(MessageError):
    """A team operation that cannot go on; the message (a Message) is one line that says what to do."""


# --- running git -------------------------------------------------------------------------------


def git_binary() -> str:
    found = shutil.which("git")
    if found is None:
        raise TeamError(Message("team.no_git"))
    return found


def _environment(background: bool) -> dict[str, str]:
    env = dict(os.environ)
    if background:
        # Nobody is there to answer a password prompt: fail at once instead of hanging.
        env["GIT_TERMINAL_PROMPT"] = "0"
        if "GIT_SSH_COMMAND" not in env:
            env["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes -o ConnectTimeout=5"
    # Messages we show are git's own first error line; keep them in English so they are searchable.
    env["LC_MESSAGES"] = "C"
    env["LANGUAGE"] = "C"
    # A path is a path: a file named `*.toml` or a folder `[店铺]` must not be read as a glob pattern.
    env["GIT_LITERAL_PATHSPECS"] = "1"
    if "LC_ALL" in env:  # it would override LC_MESSAGES; keep its character set only
        env.setdefault("LC_CTYPE", env.pop("LC_ALL"))
    return env


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str

    @property
    def ok(self) -> bool:
        return self.code == 0

    def reason(self) -> str:
        """git's most telling line (its `error:`/`fatal:` line when there is one)."""
        lines = [line.strip() for line in (self.err + "\n" + self.out).splitlines() if line.strip()]
        for prefix in ("fatal:", "error:", "CONFLICT", "!"):
            for line in lines:
                if line.startswith(prefix):
                    return line
        return lines[0] if lines else f"git exited with {self.code}"


def run_git(
    cwd: Path,
    *args: str,
    input: str | None = None,
    timeout: float | None = None,
    background: bool = False,
    stop: threading.Event | None = None,
) -> Outcome:
    """Run `git ARGS` in `cwd` and collect its output.

    In the foreground (the `qr team` commands) git behaves as when typed by hand: it may ask for
    a password or a key's passphrase, and ctrl+c stops it. In the `background` (the launcher's
    check) it never prompts. With a `timeout` or a `stop` flag (set when qr quits) git runs in a
    session of its own, so that ending it also ends everything it started (ssh, helpers).
    """
    own_session = background or timeout is not None or stop is not None
    command = [git_binary(), *args]
    process = subprocess.Popen(
        command,
        cwd=cwd,
        stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_environment(background),
        **_own_group(own_session),
    )
    data = input.encode("utf-8") if input is not None else None
    deadline = None if timeout is None else time.monotonic() + timeout
    try:
        while True:
            wait = None if deadline is None else max(deadline - time.monotonic(), 0.0)
            if stop is not None:
                wait = STOP_POLL if wait is None else min(wait, STOP_POLL)
            try:
                out, err = process.communicate(data, timeout=wait)
                break
            except subprocess.TimeoutExpired:  # retrying communicate loses no output
                stopped = stop is not None and stop.is_set()
                if stopped or (deadline is not None and time.monotonic() >= deadline):
                    _kill(process, own_session)
                    why = "was stopped" if stopped else f"took longer than {timeout:g} s"
                    return Outcome(124, "", f"fatal: git {args[0]} {why}")
    except BaseException:  # ctrl+c while git runs: never leave it behind
        _kill(process, own_session)
        raise
    return Outcome(process.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"))


def _own_group(wanted: bool) -> dict:
    """Popen arguments that start git in a process group of its own (to end it with its helpers)."""
    if not wanted:
        return {}
    if os.name == "nt":
        return {"creationflags": getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0x200)}
    return {"start_new_session": True}


def _kill(process: subprocess.Popen, group: bool) -> None:
    if process.poll() is None:
        try:
            if group and hasattr(os, "killpg"):
                os.killpg(process.pid, signal.SIGKILL)
            elif group:
                _kill_tree_windows(process)
            else:
                process.kill()
        except (ProcessLookupError, PermissionError):
            process.kill()
    process.wait()
    for pipe in (process.stdin, process.stdout, process.stderr):
        if pipe is not None:
            pipe.close()  # not read: a helper git started may still hold the other end


def _kill_tree_windows(process: subprocess.Popen) -> None:
    """Windows has no process groups to signal (no os.killpg): taskkill ends git and what it started."""
    try:
        subprocess.run(["taskkill", "/F", "/T", "/PID", str(process.pid)], capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        pass
    if process.poll() is None:
        process.kill()


# --- the repository around a library ----------------------------------------------------------


@dataclass(frozen=True)
class Repo:
    """A library folder inside a git work tree."""

    library: Path
    top: Path
    prefix: PurePosixPath
    """The library folder relative to the top of the work tree (`.` when it is the top)."""
    git_dir: Path
    """This work tree's own git folder (where a stopped rebase keeps its state)."""

    def git(self, *args: str, **kwargs) -> Outcome:
        return run_git(self.top, *args, **kwargs)

    def must(self, *args: str, **kwargs) -> str:
        outcome = self.git(*args, **kwargs)
        if not outcome.ok:
            raise TeamError(Message("team.git_failed", command=args[0], reason=outcome.reason()))
        return outcome.out

    def in_library(self, path: str) -> PurePosixPath | None:
        """The library-relative path of a work-tree path that is one of the library's own files."""
        candidate = PurePosixPath(path)
        if self.prefix != PurePosixPath("."):
            try:
                candidate = candidate.relative_to(self.prefix)
            except ValueError:
                return None
        if candidate.suffix != ".toml" or any(part.startswith(".") for part in candidate.parts):
            return None
        if candidate.name.startswith("_"):
            return candidate if candidate == PurePosixPath(LIBRARY_FILE) else None
        return candidate

    def top_path(self, relative: PurePosixPath) -> str:
        return (self.prefix / relative).as_posix() if self.prefix != PurePosixPath(".") else relative.as_posix()

    @property
    def pathspec(self) -> str:
        return self.prefix.as_posix() if self.prefix != PurePosixPath(".") else "."


def open_repo(library: Path | str) -> Repo:
    """The git work tree holding `library`; a one-line TeamError when there is none (or no git)."""
    library = Path(library).expanduser().resolve()
    if not library.is_dir():
        raise TeamError(Message("team.no_folder", path=str(library)))
    _refuse_bundled(library)
    outcome = run_git(library, "rev-parse", "--show-toplevel", "--absolute-git-dir")
    if not outcome.ok and "not a git repository" not in outcome.err:
        # e.g. "detected dubious ownership" on a shared drive: git's own words say what to do
        raise TeamError(Message("team.git_cannot_use", path=str(library), reason=outcome.reason()))
    if not outcome.ok or len(outcome.out.splitlines()) != 2:
        raise TeamError(Message("team.not_work_tree", path=str(library)))
    top_line, git_dir_line = outcome.out.splitlines()
    top = Path(top_line).resolve()
    prefix = PurePosixPath(library.relative_to(top).as_posix()) if library != top else PurePosixPath(".")
    return Repo(library=library, top=top, prefix=prefix, git_dir=Path(git_dir_line))


MERGE_DRIVER = "qr"


def install_merge_driver(repo: Repo) -> None:
    """Let git merge the library's group files phrase by phrase (qr.merge_driver), in this clone only.

    Sets `merge.qr.driver` in the clone's config and `merge=qr` for the library's `*.toml` in
    `.git/info/attributes` (not a committed .gitattributes: a teammate without qr keeps git's own merge).
    """
    import shlex
    import sys

    command = f"{shlex.quote(sys.executable)} -m qr.merge_driver %O %A %B %P"
    if repo.git("config", "--local", "--get", f"merge.{MERGE_DRIVER}.driver").out.strip() != command:
        repo.must("config", "--local", f"merge.{MERGE_DRIVER}.name", "qr: merge group files phrase by phrase")
        repo.must("config", "--local", f"merge.{MERGE_DRIVER}.driver", command)
    common = repo.git("rev-parse", "--git-common-dir")
    if not common.ok:
        return
    attributes = (repo.top / common.out.strip()).resolve() / "info" / "attributes"
    pattern = "*.toml" if repo.prefix == PurePosixPath(".") else f"/{repo.prefix.as_posix()}/**/*.toml"
    line = f"{pattern} merge={MERGE_DRIVER}"
    try:
        existing = attributes.read_text(encoding="utf-8") if attributes.exists() else ""
        if line not in existing.splitlines():
            attributes.parent.mkdir(parents=True, exist_ok=True)
            attributes.write_text(existing + ("" if not existing or existing.endswith("\n") else "\n") + line + "\n", encoding="utf-8")
    except OSError:
        pass  # git's own merge still works; only same-file edits may conflict more often


def _refuse_bundled(library: Path) -> None:
    from qr.config import ConfigError, bundled_library

    try:
        bundled = bundled_library().resolve()
    except ConfigError:
        return
    if library == bundled:
        raise TeamError(Message("team.bundled"))


@dataclass(frozen=True)
class Upstream:
    remote: str
    branch: str
    """The remote branch's full ref, e.g. refs/heads/main."""
    name: str
    """What git calls it, e.g. origin/main."""


def current_branch(repo: Repo) -> str | None:
    outcome = repo.git("symbolic-ref", "--quiet", "--short", "HEAD")
    return outcome.out.strip() if outcome.ok else None


def rebasing_branch(repo: Repo) -> str | None:
    """The branch a stopped rebase is rewriting (HEAD is detached meanwhile)."""
    for name in ("rebase-merge", "rebase-apply"):
        path = repo.git_dir / name / "head-name"
        if path.is_file():
            return path.read_text(encoding="utf-8").strip().removeprefix("refs/heads/") or None
    return None


def upstream_of(repo: Repo, branch: str | None) -> Upstream | None:
    if branch is None:
        return None
    fields = "%(upstream:remotename)%00%(upstream:remoteref)%00%(upstream:short)"
    outcome = repo.git("for-each-ref", f"--format={fields}", f"refs/heads/{branch}")
    parts = outcome.out.rstrip("\n").split("\0") if outcome.ok else []
    if len(parts) != 3 or not all(parts):
        return None
    return Upstream(remote=parts[0], branch=parts[1], name=parts[2])


def require_upstream(repo: Repo) -> tuple[str, Upstream]:
    branch = current_branch(repo)
    if branch is None:
        raise TeamError(Message("team.detached"))
    upstream = upstream_of(repo, branch)
    if upstream is None:
        raise TeamError(Message("team.no_upstream", branch=branch))
    return branch, upstream


def rebase_in_progress(repo: Repo) -> bool:
    return any((repo.git_dir / name).exists() for name in ("rebase-merge", "rebase-apply"))


def _refuse_mid_rebase(repo: Repo) -> None:
    if rebase_in_progress(repo):
        raise TeamError(Message("team.mid_rebase"))


def fetch(repo: Repo, upstream: Upstream, timeout: float | None = None, background: bool = False, stop: threading.Event | None = None) -> Outcome:
    return repo.git("fetch", "--quiet", "--no-write-fetch-head", upstream.remote, timeout=timeout, background=background, stop=stop)


def ahead_behind(repo: Repo, branch: str) -> tuple[int, int]:
    """Commits on `branch` not on its upstream, and the other way round."""
    outcome = repo.git("rev-list", "--left-right", "--count", f"{branch}...{branch}@{{upstream}}")
    if not outcome.ok:
        return 0, 0
    ahead, behind = outcome.out.split()
    return int(ahead), int(behind)


def has_head(repo: Repo) -> bool:
    return repo.git("rev-parse", "--verify", "--quiet", "HEAD").ok


# --- what changed --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileChange:
    status: str
    """`added`, `modified`, `deleted` or `renamed` (relative to HEAD)."""
    path: PurePosixPath
    """Library-relative path."""
    old_path: PurePosixPath | None = None


def changed_files(repo: Repo) -> list[FileChange]:
    """The library's own files that differ from HEAD (staged or not, new files included)."""
    outcome = repo.git("status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames", "--", repo.pathspec)
    if not outcome.ok:
        raise TeamError(Message("team.git_failed", command="status", reason=outcome.reason()))
    changes = []
    for entry in outcome.out.split("\0"):
        if len(entry) < 4:
            continue
        xy, path = entry[:2], entry[3:]
        relative = repo.in_library(path)
        if relative is None:
            continue
        if "D" in xy:
            status = "deleted"
        elif xy == "??" or "A" in xy:
            status = "added"
        else:
            status = "modified"
        changes.append(FileChange(status, relative))
    return sorted(changes, key=lambda change: change.path.as_posix())


def _phrase_key(phrase: Phrase) -> str:
    return f"/{phrase.code}" if phrase.code else f"「{phrase.title}」"


def group_of(text: str | None, relative: PurePosixPath) -> Group | None:
    """A group file's text parsed as a Group; None when it is absent or unreadable."""
    if text is None:
        return None
    try:
        return parse_group(tomllib.loads(text), text, Path(relative), None)
    except (tomllib.TOMLDecodeError, InvalidFile):
        return None


def _natural(key: str) -> tuple:
    """Codes in the order a lead counts them (/wl2 before /wl10), uncoded phrases after."""
    return (0, natural_key(key[1:])) if key.startswith("/") else (1, (), key)


def _settings(group: Group) -> tuple:
    return (group.name, group.category, group.order, group.description, dict(group.extra))


@dataclass(frozen=True)
class Changes:
    """What changed in the library between two versions, by phrase."""

    added: tuple[str, ...] = ()
    edited: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    """Every library file that changed (library-relative)."""
    other: tuple[str, ...] = ()
    """Files that changed without a phrase changing: group settings, `_library.toml`, unreadable files."""

    @property
    def empty(self) -> bool:
        return not self.files

    def messages(self) -> list[Message]:
        """One message per kind of change ("added /wl11", "edited /wl2"…), for the user."""
        parts = []
        for kind, items in (("added", self.added), ("edited", self.edited), ("removed", self.removed)):
            if items:
                parts.append(Message(f"team.change.{kind}", items=", ".join(items)))
        if self.other:
            parts.append(Message("team.change.other", files=", ".join(self.other)))
        return parts

    def described(self) -> Message | tuple[Message, ...]:
        """What changed, in the user's language ("; "-joined parts, or "no changes")."""
        return tuple(self.messages()) or Message("team.changes.none")

    def parts(self) -> list[str]:
        """The parts in English: the commit message the team's git history keeps."""
        return [part.english for part in self.messages()]

    def summary(self) -> str:
        return "; ".join(self.parts()) or Message("team.changes.none").english

    def subject(self) -> str:
        """A commit subject naming what changed, shortened to fit a log line."""
        subject = f"qr: {self.summary()}"
        if len(subject) <= MAX_SUBJECT:
            return subject
        counts = [f"{verb} {len(items)}" for verb, items in (("added", self.added), ("edited", self.edited), ("removed", self.removed)) if items]
        if self.other:
            counts.append(f"changed {len(self.other)} files")
        return f"qr: {', '.join(counts)} phrases" if counts else "qr: library update"

    def body(self) -> str:
        lines = []
        for verb, items in (("Added", self.added), ("Edited", self.edited), ("Removed", self.removed)):
            if items:
                lines.append(f"{verb}: {', '.join(items)}")
        if self.other:
            lines.append(f"Changed: {', '.join(self.other)}")
        lines.append(f"Files: {', '.join(self.files)}")
        return "\n".join(lines)


def compare(old: Mapping[PurePosixPath, str | None], new: Mapping[PurePosixPath, str | None]) -> Changes:
    """Phrases added, edited and removed between two versions of the changed files.

    A phrase that moves to another file keeps its code, so it counts as edited, not removed and added.
    A file whose change is not about a phrase (group settings, `_library.toml`, phrase order, an
    unreadable version) is listed in `other`.
    """
    paths = sorted(set(old) | set(new), key=lambda path: path.as_posix())
    before: dict[str, tuple[PurePosixPath, Phrase]] = {}
    after: dict[str, tuple[PurePosixPath, Phrase]] = {}
    other: list[str] = []
    for path in paths:
        if path == PurePosixPath(LIBRARY_FILE):
            other.append(LIBRARY_FILE)
            continue
        old_text, new_text = old.get(path), new.get(path)
        old_group, new_group = group_of(old_text, path), group_of(new_text, path)
        unreadable = (old_text is not None and old_group is None) or (new_text is not None and new_group is None)
        if unreadable or (old_group and new_group and _settings(old_group) != _settings(new_group)):
            other.append(path.as_posix())
        for group, side in ((old_group, before), (new_group, after)):
            for phrase in group.phrases if group else ():
                side[_phrase_key(phrase)] = (path, phrase)
    added = sorted((key for key in after if key not in before), key=_natural)
    removed = sorted((key for key in before if key not in after), key=_natural)
    edited = sorted((key for key in after if key in before and before[key] != after[key]), key=_natural)
    touched = {side[key][0] for key in (*added, *removed, *edited) for side in (before, after) if key in side}
    for path in paths:
        if path not in touched and path.as_posix() not in other:
            other.append(path.as_posix())  # only the order or layout of the file changed
    return Changes(
        added=tuple(added),
        edited=tuple(edited),
        removed=tuple(removed),
        files=tuple(path.as_posix() for path in paths),
        other=tuple(other),
    )


def text_at(repo: Repo, revision: str, relative: PurePosixPath) -> str | None:
    """A library file's text at `revision`, or None when it does not exist there."""
    outcome = repo.git("show", f"{revision}:{repo.top_path(relative)}")
    return outcome.out if outcome.ok else None


def working_text(repo: Repo, relative: PurePosixPath) -> str | None:
    try:
        return (repo.library / relative).read_bytes().decode("utf-8-sig", "replace")
    except FileNotFoundError:
        return None


def changes_between(repo: Repo, old: str, new: str) -> Changes:
    outcome = repo.git("diff", "--name-only", "--no-renames", "-z", old, new, "--", repo.pathspec)
    if not outcome.ok:
        raise TeamError(Message("team.git_failed", command="diff", reason=outcome.reason()))
    paths = [relative for path in outcome.out.split("\0") if path and (relative := repo.in_library(path)) is not None]
    return compare({path: text_at(repo, old, path) for path in paths}, {path: text_at(repo, new, path) for path in paths})


def working_changes(repo: Repo, files: Iterable[FileChange]) -> Changes:
    files = list(files)
    head = has_head(repo)
    old = {change.path: (text_at(repo, "HEAD", change.path) if head else None) for change in files}
    new = {change.path: working_text(repo, change.path) for change in files}
    return compare(old, new)


# --- status --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Status:
    library: Path
    branch: str | None
    upstream: str | None
    ahead: int
    behind: int
    changed: tuple[FileChange, ...]
    fetched: bool
    fetch_error: str | None = None
    unpublished: Changes = field(default_factory=Changes)
    """Phrases added, edited and removed since the last publish (the upstream), committed or not."""
    rebasing: bool = False
    """A rebase stopped on a conflict; `branch` is the branch being rebased, `ahead` counts
    the commits still to push as they were before the rebase."""

    def lines(self) -> list[str]:
        """The report of `qr team status`, in the current language (qr.i18n)."""
        return [str(message) if isinstance(message, Message) else message for message in self.messages()]

    def messages(self) -> list[Message | str]:
        lines: list[Message | str] = [Message("team.status.library", path=self.library)]
        where = self.branch or Message("team.status.detached")
        if self.upstream is None:
            lines.append(Message("team.status.no_upstream", branch=where))
        else:
            ahead = Message("team.status.to_push.one" if self.ahead == 1 else "team.status.to_push", count=self.ahead)
            behind = Message("team.status.behind", count=self.behind)
            if self.ahead and self.behind:
                state = Message("team.status.both", ahead=ahead, behind=behind)
            else:
                state = ahead if self.ahead else behind if self.behind else Message("team.status.up_to_date")
            lines.append(Message("team.status.tracking", branch=where, upstream=self.upstream, state=state))
            if self.fetch_error:
                lines.append(Message("team.status.fetch_failed", reason=self.fetch_error))
            elif not self.fetched:
                lines.append(Message("team.status.not_fetched"))
        if self.rebasing:
            lines.append(Message("team.status.rebasing"))
        if self.changed:
            count = len(self.changed)
            lines.append(Message("team.status.files.one" if count == 1 else "team.status.files", count=count))
            lines += [f"  {Message(f'team.file.{change.status}')!s:<8} {change.path.as_posix()}" for change in self.changed]
        if parts := self.unpublished.messages():
            lines.append(Message("team.status.since_publish"))
            lines += [f"  {part}" for part in parts]
        else:
            lines.append(Message("team.status.nothing"))
        return lines


def status(root: Path | str, *, fetch_first: bool = True, timeout: float | None = None) -> Status:
    """Branch, commits ahead of/behind the upstream (after a fetch) and the changed library files."""
    repo = open_repo(root)
    rebasing = rebase_in_progress(repo)
    branch = current_branch(repo) or (rebasing_branch(repo) if rebasing else None)
    upstream = upstream_of(repo, branch)
    fetched, fetch_error = False, None
    if upstream is not None and fetch_first:
        outcome = fetch(repo, upstream, timeout=timeout)
        fetched, fetch_error = outcome.ok, (None if outcome.ok else outcome.reason())
    ahead, behind = ahead_behind(repo, branch) if upstream is not None and branch is not None else (0, 0)
    changed = tuple(changed_files(repo))
    return Status(
        library=repo.library,
        branch=branch,
        upstream=upstream.name if upstream else None,
        ahead=ahead,
        behind=behind,
        changed=changed,
        fetched=fetched,
        fetch_error=fetch_error,
        unpublished=unpublished_changes(repo, branch if upstream is not None and not rebasing else None, changed),
        rebasing=rebasing,
    )


def unpublished_changes(repo: Repo, branch: str | None, changed: Iterable[FileChange]) -> Changes:
    """Phrases changed between the last publish and the work tree, by code.

    The last publish is where this clone and the team's branch last met (their merge base): commits
    the team made since are not ours, so they are not counted. Without an upstream: HEAD.
    """
    if not has_head(repo):
        return working_changes(repo, changed)
    base = "HEAD"
    if branch is not None:
        met = repo.git("merge-base", "HEAD", f"{branch}@{{upstream}}")
        base = met.out.strip() if met.ok and met.out.strip() else "HEAD"
    outcome = repo.git("diff", "--name-only", "--no-renames", "-z", base, "--", repo.pathspec)
    paths = {relative for path in outcome.out.split("\0") if path and (relative := repo.in_library(path)) is not None} if outcome.ok else set()
    paths |= {change.path for change in changed}
    if not paths:
        return Changes()
    return compare({path: text_at(repo, base, path) for path in paths}, {path: working_text(repo, path) for path in paths})


def behind_remote(root: Path | str, timeout: float = CHECK_TIMEOUT, stop: threading.Event | None = None) -> int | None:
    """Commits the library is behind its upstream after a quick fetch; None when that cannot be known.

    Meant for a background check: it never prompts, gives up after `timeout` seconds or as soon as
    `stop` is set, and never raises.
    """
    try:
        repo = open_repo(root)
        branch = current_branch(repo)
        upstream = upstream_of(repo, branch)
        if upstream is None:
            return None
        if not fetch(repo, upstream, timeout=timeout, background=True, stop=stop).ok:
            return None
        outcome = repo.git("rev-list", "--count", f"{branch}..{branch}@{{upstream}}")
        return int(outcome.out.strip()) if outcome.ok else None
    except (TeamError, OSError, ValueError):
        return None


# --- pull ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PullResult:
    commits: int
    changes: Changes = field(default_factory=Changes)

    def lines(self) -> list[str]:
        """The summary of `qr team pull`, in the current language (qr.i18n)."""
        if not self.commits:
            return [str(Message("team.pull.up_to_date"))]
        one = self.commits == 1
        if self.changes.empty:
            return [str(Message("team.pulled_nothing.one" if one else "team.pulled_nothing", count=self.commits))]
        return [str(Message("team.pulled.one" if one else "team.pulled", count=self.commits, changes=self.changes.described()))]


def pull(root: Path | str, *, timeout: float | None = None) -> PullResult:
    """Fetch and fast-forward the library to its upstream; refuses anything but a fast-forward."""
    repo = open_repo(root)
    _refuse_mid_rebase(repo)
    branch, upstream = require_upstream(repo)
    outcome = fetch(repo, upstream, timeout=timeout)
    if not outcome.ok:
        raise TeamError(Message("team.cannot_fetch", remote=upstream.remote, reason=outcome.reason()))
    ahead, behind = ahead_behind(repo, branch)
    if not behind:
        return PullResult(0)
    target = repo.must("rev-parse", "--verify", f"{branch}@{{upstream}}").strip()
    changes = changes_between(repo, "HEAD", target)
    local = {change.path.as_posix() for change in changed_files(repo)}
    if ahead or local & set(changes.files):
        # Unpublished commits, or unpublished edits of files the team changed: replay them on top of
        # the team's version, merging group files phrase by phrase; the same phrase stops, named.
        _rebase(repo, upstream, pulling=True)
        return PullResult(behind, changes)
    merged = repo.git("merge", "--ff-only", "--quiet", target)
    if not merged.ok:
        raise TeamError(Message("team.cannot_fast_forward", upstream=upstream.name, reason=merged.reason()))
    return PullResult(behind, changes)


# --- publish -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConflictHunk:
    file: str
    phrases: tuple[str, ...]


@dataclass(frozen=True)
class PublishResult:
    changes: Changes
    committed: bool
    pushed: int
    """Commits pushed."""
    rebased: bool = False

    def lines(self) -> list[str]:
        """The summary of `qr team publish`, in the current language (qr.i18n)."""
        if not self.pushed:
            return [str(Message("team.publish.nothing"))]
        what = self.changes.described() if self.committed else Message("team.earlier_commits")
        return [str(Message("team.published.rebased" if self.rebased else "team.published", what=what))]


class PublishConflict(TeamError):
    """A rebase stopped on a conflict; the work tree is left as git leaves it (mid-rebase)."""

    def __init__(self, message: Message | str, hunks: tuple[ConflictHunk, ...]) -> None:
        super().__init__(message)
        self.hunks = hunks


def publish(root: Path | str, message: str | None = None, *, timeout: float | None = None) -> PublishResult:
    """Lint, commit the changed library files, push; rebase on a rejected push. Never force-pushes."""
    repo = open_repo(root)
    _refuse_mid_rebase(repo)
    branch, upstream = require_upstream(repo)
    loaded = load_library(repo.library)
    errors = [finding for finding in lint(loaded.library, loaded.problems) if finding.severity == "error"]
    if errors:
        first = errors[0]
        raise TeamError(Message("team.lint_errors.one" if len(errors) == 1 else "team.lint_errors", count=len(errors), file=str(first.file), line=first.line, message=first.message))

    files = changed_files(repo)
    changes = working_changes(repo, files) if files else Changes()
    committed = False
    if files:
        require_identity(repo)
        paths = [repo.top_path(change.path) for change in files]
        repo.must("add", "--all", "--", *paths)
        subject = message.strip() if message and message.strip() else changes.subject()
        repo.must("commit", "--quiet", "-F", "-", "--", *paths, input=f"{subject}\n\n{changes.body()}\n")
        committed = True

    rebased = False
    for _attempt in range(3):  # someone may publish again while we rebase; try a few times
        ahead, _ = ahead_behind(repo, branch)
        if not ahead and not committed and not rebased:
            return PublishResult(changes, committed=False, pushed=0)
        pushed = repo.git("push", "--quiet", "--porcelain", upstream.remote, f"HEAD:{upstream.branch}", timeout=timeout)
        if pushed.ok:
            return PublishResult(changes, committed=committed, pushed=ahead, rebased=rebased)
        fetched = fetch(repo, upstream, timeout=timeout)
        if not fetched.ok:
            raise TeamError(Message("team.push_unreachable", remote=upstream.remote, reason=fetched.reason()))
        if not ahead_behind(repo, branch)[1]:
            raise TeamError(Message("team.push_refused", upstream=upstream.name, reason=pushed.reason()))
        _rebase(repo, upstream)
        rebased = True
    raise TeamError(Message("team.busy_remote"))


def require_identity(repo: Repo) -> None:
    if not repo.git("var", "GIT_COMMITTER_IDENT").ok:
        raise TeamError(Message("team.no_identity"))


def _rebase(repo: Repo, upstream: Upstream, *, pulling: bool = False) -> None:
    """`git pull --rebase --autostash`, group files merged phrase by phrase; a clash stops, named."""
    install_merge_driver(repo)
    outcome = repo.git("pull", "--rebase", "--autostash", "--quiet", "--no-edit", upstream.remote, upstream.branch)
    if outcome.ok and not unmerged_paths(repo):
        return
    if not rebase_in_progress(repo):
        if unmerged_paths(repo):  # the rebase went through; putting back the uncommitted edits clashed
            hunks = conflict_hunks(repo)
            raise PublishConflict(Message("team.autostash_conflict", phrases=_named(hunks)), hunks)
        raise TeamError(Message("team.rebase_failed", reason=outcome.reason()))
    hunks = conflict_hunks(repo)
    raise PublishConflict(Message("team.pull_conflict" if pulling else "team.publish_conflict", phrases=_named(hunks)), hunks)


def _named(hunks: tuple[ConflictHunk, ...]) -> str | Message:
    return "; ".join(f"{hunk.file}: {', '.join(hunk.phrases)}" for hunk in hunks) or Message("team.see_status")


def unmerged_paths(repo: Repo) -> list[str]:
    outcome = repo.git("diff", "--name-only", "--diff-filter=U", "-z")
    return [path for path in outcome.out.split("\0") if path] if outcome.ok else []


_CODE_LINE = re.compile(r"""^\s*code\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_TITLE_LINE = re.compile(r"""^\s*title\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_HEADER_LINE = re.compile(r"^\s*\[\[\s*phrases\s*\]\]")


def conflict_hunks(repo: Repo) -> tuple[ConflictHunk, ...]:
    """The conflicting files of a stopped rebase and the phrases their conflict hunks touch."""
    outcome = repo.git("diff", "--name-only", "--diff-filter=U", "-z")
    hunks = []
    for path in sorted(filter(None, outcome.out.split("\0"))):
        relative = repo.in_library(path)
        shown = relative.as_posix() if relative is not None else path
        try:
            text = (repo.top / path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            hunks.append(ConflictHunk(shown, ("(deleted on one side)",)))
            continue
        if relative is None:
            hunks.append(ConflictHunk(shown, ("(not a library file)",)))
        elif relative == PurePosixPath(LIBRARY_FILE):
            hunks.append(ConflictHunk(shown, ("library settings",)))
        else:
            hunks.append(ConflictHunk(shown, phrases_in_conflict(text)))
    return tuple(hunks)


def conflict_sides(text: str) -> tuple[list[str], list[str], list[tuple[int, int]], list[tuple[int, int]]]:
    """Split a file with conflict markers into its two sides, with each hunk's line span on each side.

    Spans are 1-based and inclusive; a side that is empty in a hunk gets an empty span (start > end).
    A diff3-style base section (`|||||||`) belongs to neither side.
    """
    first: list[str] = []
    second: list[str] = []
    spans_first: list[tuple[int, int]] = []
    spans_second: list[tuple[int, int]] = []
    state = "both"
    for line in text.splitlines():
        if line.startswith("<<<<<<<") and state == "both":
            state, start_first = "first", len(first) + 1
        elif line.startswith("|||||||") and state == "first":
            state = "base"
        elif line.startswith("=======") and state in ("first", "base"):
            spans_first.append((start_first, len(first)))
            state, start_second = "second", len(second) + 1
        elif line.startswith(">>>>>>>") and state == "second":
            spans_second.append((start_second, len(second)))
            state = "both"
        elif state == "both":
            first.append(line)
            second.append(line)
        elif state == "first":
            first.append(line)
        elif state == "second":
            second.append(line)
    return first, second, spans_first, spans_second


def phrases_in_conflict(text: str) -> tuple[str, ...]:
    """Name the phrases a group file's conflict hunks fall in (`/code title`), from both sides."""
    first, second, spans_first, spans_second = conflict_sides(text)
    named: list[str] = []
    for lines, spans in ((first, spans_first), (second, spans_second)):
        blocks = _phrase_blocks(lines)
        for start, end in spans:
            if start > end:
                continue  # this side has nothing here; the other side names the phrase
            if not blocks or start < blocks[0][0]:
                _add(named, "group settings")
            for number, (header, label) in enumerate(blocks):
                next_header = blocks[number + 1][0] if number + 1 < len(blocks) else len(lines) + 1
                if header <= end and start < next_header:
                    _add(named, label)
    return tuple(named)


def _phrase_blocks(lines: list[str]) -> list[tuple[int, str]]:
    """(header line, `/code title`) of each phrase in one side of a file."""
    text = "\n".join(lines)
    try:
        group = parse_group(tomllib.loads(text), text, Path("conflict.toml"), None)
        return [(phrase.line, _label(phrase.code, phrase.title)) for phrase in group.phrases]
    except (tomllib.TOMLDecodeError, InvalidFile):
        pass
    # Not valid on its own (a hand-made hunk): read codes and titles line by line instead.
    blocks: list[tuple[int, str]] = []
    header, code, title = 0, None, None
    for number, line in enumerate([*lines, "[[phrases]]"], 1):
        if _HEADER_LINE.match(line):
            if header:
                blocks.append((header, _label(code, title or "")))
            header, code, title = number, None, None
        elif header and (match := _CODE_LINE.match(line)) and code is None:
            code = match[1] if match[1] is not None else match[2]
        elif header and (match := _TITLE_LINE.match(line)) and title is None:
            title = match[1] if match[1] is not None else match[2]
    return blocks


def _label(code: str | None, title: str) -> str:
    code = code.strip().lstrip("/").lower() if code else ""
    return " ".join(part for part in (f"/{code}" if code else "", title.strip()) if part) or str(Message("team.untitled"))


def _add(items: list[str], item: str) -> None:
    if item not in items:
        items.append(item)
