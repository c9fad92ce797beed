"""Team usage without a server (opt-in): each agent's copy counts per phrase and week, in the team repo.

With `share_usage = true` in the profile (or the config), `qr team publish` and `qr team usage push`
write one file per agent, `usage/AGENT.json`, on the branch `qr-usage` of the team's remote: its own
branch, so the library's history stays clean, written with git plumbing so the work tree (and any
unpublished edit in it) is never touched. A file holds codes and counts only, per ISO week:

    {"format": 1, "agent": "小王", "shop": "旗舰店", "weeks": {"2026-W48": {"wl1": 12, "sq3": 4}}}

never a reply's text, a variable's value or a query. Every agent writes only their own file, so two
agents pushing at once never conflict: a rejected push is rebuilt on the newer branch and retried.
`qr stats --team` reads every agent's file and adds them up (qr.cli.stats).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from qr.messages import Message
from qr.team import Repo, TeamError, open_repo, require_identity, require_upstream

USAGE_BRANCH = "qr-usage"
USAGE_FOLDER = "usage"
FORMAT = 1
ATTEMPTS = 5


def sharing_enabled(raw_profiles: Mapping[str, object], extra: Mapping[str, object], profile: str) -> bool:
    """`share_usage = true` in `[profiles.NAME]`, else at the top of the config; off by default."""
    raw = raw_profiles.get(profile) if profile else None
    if isinstance(raw, Mapping) and "share_usage" in raw:
        return raw["share_usage"] is True
    return extra.get("share_usage") is True


def week_of(day: int) -> str:
    """ISO week (`2026-W48`) of a UTC day number (days since 1970-01-01)."""
    year, week, _ = (date(1970, 1, 1) + timedelta(days=day)).isocalendar()
    return f"{year}-W{week:02d}"


def week_start(week: str) -> date:
    year, number = week.split("-W")
    return date.fromisocalendar(int(year), int(number), 1)


def weekly(rows: Iterable[tuple[str, int, int]]) -> dict[str, dict[str, int]]:
    """Daily (code, day, count) rows summed per week and code."""
    weeks: dict[str, dict[str, int]] = {}
    for code, day, count in rows:
        codes = weeks.setdefault(week_of(day), {})
        codes[code] = codes.get(code, 0) + count
    return weeks


@dataclass(frozen=True)
class AgentUsage:
    agent: str
    shop: str = ""
    weeks: Mapping[str, Mapping[str, int]] = field(default_factory=dict)


def document(usage: AgentUsage) -> str:
    weeks = {week: dict(sorted(codes.items())) for week, codes in sorted(usage.weeks.items())}
    return json.dumps({"format": FORMAT, "agent": usage.agent, "shop": usage.shop, "weeks": weeks}, ensure_ascii=False, indent=1) + "\n"


def parse(text: str) -> AgentUsage | None:
    """A usage file, checked: codes and whole counts only (None for anything else)."""
    try:
        raw = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT or not isinstance(raw.get("weeks"), dict):
        return None
    weeks: dict[str, dict[str, int]] = {}
    for week, codes in raw["weeks"].items():
        if not isinstance(codes, dict):
            return None
        try:
            week_start(week)
        except ValueError:
            return None
        weeks[week] = {str(code).lower(): count for code, count in codes.items() if isinstance(count, int) and not isinstance(count, bool) and count > 0}
    return AgentUsage(str(raw.get("agent", "")), str(raw.get("shop", "")), weeks)


def file_name(agent: str) -> str:
    from qr.store.edit import safe_file_stem

    return f"{safe_file_stem(agent or 'agent')}.json"


# -- the branch -----------------------------------------------------------------------------------


def _remote_ref(remote: str) -> str:
    return f"refs/remotes/{remote}/{USAGE_BRANCH}"


def _fetch_usage(repo: Repo, remote: str, timeout: float | None) -> str | None:
    """Fetch the usage branch; its commit, or None when the remote has none yet."""
    outcome = repo.git("fetch", "--quiet", "--no-write-fetch-head", remote, f"+refs/heads/{USAGE_BRANCH}:{_remote_ref(remote)}", timeout=timeout)
    if not outcome.ok and "couldn't find remote ref" not in outcome.err:
        raise TeamError(Message("team.cannot_fetch", remote=remote, reason=outcome.reason()))
    found = repo.git("rev-parse", "--verify", "--quiet", f"{_remote_ref(remote)}^{{commit}}")
    return found.out.strip() if outcome.ok and found.ok else None


def push_usage(root: Path | str, usage: AgentUsage, *, timeout: float | None = None) -> bool:
    """Write this agent's usage file on the usage branch and push it; False when it was already there."""
    repo = open_repo(root)
    _, upstream = require_upstream(repo)
    require_identity(repo)
    name = file_name(usage.agent)
    text = document(usage)
    for _attempt in range(ATTEMPTS):
        parent = _fetch_usage(repo, upstream.remote, timeout)
        entries = _usage_entries(repo, parent)
        blob = repo.must("hash-object", "-w", "--stdin", input=text).strip()
        if entries.get(name, ("", ""))[1] == blob:
            return False
        entries[name] = ("blob", blob)
        folder = repo.must("mktree", input="".join(f"100644 {kind} {sha}\t{entry}\n" for entry, (kind, sha) in sorted(entries.items()))).strip()
        tree = repo.must("mktree", input=f"040000 tree {folder}\t{USAGE_FOLDER}\n").strip()
        parents = ["-p", parent] if parent else []
        commit = repo.must("commit-tree", tree, *parents, "-m", f"qr: usage of {usage.agent or name}").strip()
        pushed = repo.git("push", "--quiet", "--porcelain", upstream.remote, f"{commit}:refs/heads/{USAGE_BRANCH}", timeout=timeout)
        if pushed.ok:
            repo.git("update-ref", _remote_ref(upstream.remote), commit)
            return True
        # another agent pushed first: their file is theirs, ours is ours; rebuild on theirs and retry
    raise TeamError(Message("team.usage_busy"))


def _usage_entries(repo: Repo, commit: str | None) -> dict[str, tuple[str, str]]:
    if commit is None:
        return {}
    listing = repo.git("ls-tree", "-z", f"{commit}:{USAGE_FOLDER}")
    entries = {}
    for line in listing.out.split("\0") if listing.ok else []:
        if "\t" in line:
            meta, entry = line.split("\t", 1)
            _, kind, sha = meta.split()
            if kind == "blob" and entry.endswith(".json"):
                entries[entry] = (kind, sha)
    return entries


def read_team_usage(root: Path | str, *, timeout: float | None = None) -> tuple[list[AgentUsage], list[str]]:
    """Every agent's usage file on the remote's usage branch (fetched now), and the files skipped."""
    repo = open_repo(root)
    _, upstream = require_upstream(repo)
    commit = _fetch_usage(repo, upstream.remote, timeout)
    agents, skipped = [], []
    for entry, (_, sha) in sorted(_usage_entries(repo, commit).items()):
        shown = repo.git("cat-file", "blob", sha)
        usage = parse(shown.out) if shown.ok else None
        if usage is None:
            skipped.append(entry)
        else:
            agents.append(usage)
    return agents, skipped


# -- adding it up -----------------------------------------------------------------------------------


def totals(agents: Iterable[AgentUsage], since: date | None = None) -> dict[str, int]:
    """Copies per code across the team, over the weeks that end on or after `since` (all when None)."""
    counts: dict[str, int] = {}
    for usage in agents:
        for week, codes in usage.weeks.items():
            if since is not None and week_start(week) + timedelta(days=6) < since:
                continue
            for code, count in codes.items():
                counts[code] = counts.get(code, 0) + count
    return counts


def by_shop(agents: Iterable[AgentUsage], since: date | None = None) -> dict[str, int]:
    """Copies per shop (the shop each agent's file names), over the period."""
    shops: dict[str, int] = {}
    for usage in agents:
        shops[usage.shop] = shops.get(usage.shop, 0) + sum(totals([usage], since).values())
    return shops
