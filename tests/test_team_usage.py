"""Team usage (#17.4): three agents (two processes at once and a third clone) share weekly counts on
the qr-usage branch; `qr stats --team` adds them up exactly. Real git, a bare remote, no network."""

from __future__ import annotations

import json
import subprocess
import sys
import time

from test_team import configure, git, run, team, team_template  # noqa: F401  (fixtures)

from qr.config import config_dir
from qr.team_usage import USAGE_BRANCH, AgentUsage, document, parse, push_usage, read_team_usage, totals, week_of, weekly
from qr.usage import UsageStore

PUSH = """
import sys
from qr.team_usage import AgentUsage, push_usage
push_usage(sys.argv[1], AgentUsage(sys.argv[2], sys.argv[3], {"2026-W47": {"wl1": 5, "wl2": 1}, "2026-W48": {"wl1": 2}}))
"""


def test_three_agents_roll_up_to_exact_totals(team, tmp_path, capsys):  # noqa: F811  (the fixture)
    remote, lead, agent = team
    third = tmp_path / "third"
    git(tmp_path, "clone", "--quiet", str(remote), str(third))
    configure(third, "third")
    branch_before = git(lead, "rev-parse", "HEAD")

    # two agents push at the same moment from two processes: one is rejected, rebuilds, retries
    processes = [
        subprocess.Popen([sys.executable, "-c", PUSH, str(clone), name, shop], stderr=subprocess.PIPE, text=True)
        for clone, name, shop in ((lead, "小王", "旗舰店"), (agent, "小李", "旗舰店"))
    ]
    for process in processes:
        assert process.wait(timeout=60) == 0, process.stderr.read() if process.stderr else ""
    assert push_usage(third, AgentUsage("小张", "专卖店", {"2026-W48": {"wl1": 7, "wl10": 3}})) is True
    assert push_usage(third, AgentUsage("小张", "专卖店", {"2026-W48": {"wl1": 7, "wl10": 3}})) is False  # unchanged

    agents, skipped = read_team_usage(lead)
    assert skipped == [] and sorted(usage.agent for usage in agents) == ["小张", "小李", "小王"]
    assert totals(agents) == {"wl1": 5 + 2 + 5 + 2 + 7, "wl2": 2, "wl10": 3}
    files = git(remote, "ls-tree", "--name-only", f"{USAGE_BRANCH}:usage").split()
    assert len(files) == 3
    # the library's branch is untouched: usage lives on its own branch
    assert git(lead, "rev-parse", "HEAD") == branch_before
    assert git(remote, "log", "--format=%s", "main").splitlines()[0] == "the library"

    code, out, err = run(capsys, "--library", str(agent), "stats", "--team", "--json", "--days", "0")
    assert code == 0, err
    report = json.loads(out)
    counts = {row["code"]: row["count"] for row in report["phrases"]}
    assert counts["wl1"] == 21 and counts["wl2"] == 2 and counts["wl10"] == 3
    assert report["shops"] == {"旗舰店": 16, "专卖店": 10}
    assert "en1" in report["never_used"] and "wl1" not in report["never_used"]
    assert {row["group"]: row["count"] for row in report["groups"]}["物流"] == 26

    code, out, err = run(capsys, "--library", str(agent), "stats", "--team", "--days", "0")
    assert code == 0 and "3 agents, 26 copies of 3 phrases" in out and "/en1" in out


def test_usage_files_hold_codes_and_counts_only():
    usage = AgentUsage("小王", "旗舰店", weekly([("wl1", 20420, 3), ("wl1", 20421, 2), ("sq3", 20421, 1)]))
    text = document(usage)
    assert week_of(20420) == week_of(20421) == "2025-W48"  # a Friday and a Saturday
    assert json.loads(text) == {"format": 1, "agent": "小王", "shop": "旗舰店", "weeks": {"2025-W48": {"sq3": 1, "wl1": 5}}}
    assert parse(text) == usage
    assert parse('{"format": 1, "weeks": {"2026-W48": {"wl1": "many"}}}').weeks == {"2026-W48": {}}
    assert parse('{"format": 1, "weeks": {"week 48": {}}}') is None
    assert parse("[]") is None


def test_usage_push_is_off_unless_the_profile_opts_in(team, capsys):  # noqa: F811  (the fixture)
    _, lead, _ = team
    code, _, err = run(capsys, "--library", str(lead), "team", "usage", "push")
    assert code == 2 and "share_usage = true" in err

    config_dir().mkdir(parents=True, exist_ok=True)
    (config_dir() / "config.toml").write_text(
        f'default_profile = "main"\n\n[profiles.main]\nlibraries = ["{lead.as_posix()}"]\nagent = "小王"\nshop = "旗舰店"\nshare_usage = true\n',
        encoding="utf-8",
    )
    store = UsageStore()
    store.record("main", "wl1", time.time())
    store.record("main", "wl1", time.time())
    store.close()
    code, _, err = run(capsys, "team", "usage", "push")
    assert code == 0 and "shared the usage counts of 小王" in err
    agents, _ = read_team_usage(lead)
    assert [(usage.agent, usage.shop, totals([usage])) for usage in agents] == [("小王", "旗舰店", {"wl1": 2})]
