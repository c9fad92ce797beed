"""The team library over real git: a bare repository in tmp_path and clones of it.

No mocks and no network: every remote is a local path. Two clones play two leads (or a lead and an
agent): one publishes, the other pulls; concurrent publishes rebase; a true conflict stops cleanly.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from pathlib import Path, PurePosixPath

import pytest
from conftest import build_app, write_library
from textual.widgets import Static

from qr.cli import main
from qr.i18n import ZH
from qr.screens.team_check import RemoteCheck
from qr.store.load import load_library
from qr.team import (
    Changes,
    PublishConflict,
    behind_remote,
    compare,
    open_repo,
    phrases_in_conflict,
    publish,
    pull,
    rebase_in_progress,
    run_git,
    status,
)

NEW_PHRASE = '''
[[phrases]]
code = "wl11"
title = "改地址"
body = "亲，地址已为您修改。"
'''


def git(cwd: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return result.stdout


def configure(clone: Path, name: str) -> None:
    git(clone, "config", "user.name", name)
    git(clone, "config", "user.email", f"{name}@example.com")


@pytest.fixture(autouse=True)
def no_system_git_config(monkeypatch):
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


@pytest.fixture(scope="module")
def team_template(tmp_path_factory):
    """Built once: a bare remote and two clones of it. Each test gets its own copy (copying is far
    cheaper than the dozen git runs it takes to build)."""
    base = tmp_path_factory.mktemp("team")
    with pytest.MonkeyPatch.context() as env:  # the per-test HOME isolation is not active yet here
        env.setenv("HOME", str(base / "home"))
        env.setenv("GIT_CONFIG_NOSYSTEM", "1")
        env.delenv("XDG_CONFIG_HOME", raising=False)
        remote = base / "remote.git"
        git(base, "init", "--quiet", "--bare", "-b", "main", str(remote))
        lead = base / "lead"
        git(base, "clone", "--quiet", str(remote), str(lead))
        configure(lead, "lead")
        git(lead, "switch", "--quiet", "-c", "main")
        write_library(lead)
        git(lead, "add", ".")
        git(lead, "commit", "--quiet", "-m", "the library")
        git(lead, "push", "--quiet", "-u", "origin", "main")
        git(base, "clone", "--quiet", str(remote), str(base / "agent"))
        configure(base / "agent", "agent")
    return base


@pytest.fixture
def team(team_template, tmp_path):
    """(bare remote, lead clone, agent clone) sharing the test library on branch main."""
    for name in ("remote.git", "lead", "agent"):
        shutil.copytree(team_template / name, tmp_path / name, symlinks=True, ignore=shutil.ignore_patterns("*.sample"))
    for clone in ("lead", "agent"):  # point the copies at the copied remote
        config = tmp_path / clone / ".git" / "config"
        config.write_text(config.read_text().replace(str(team_template / "remote.git"), str(tmp_path / "remote.git")))
    return tmp_path / "remote.git", tmp_path / "lead", tmp_path / "agent"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as file:
        file.write(text)


def remote_log(remote: Path) -> list[str]:
    return git(remote, "log", "--format=%s", "main").splitlines()


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_publish_then_pull_brings_the_new_phrase(team, capsys):
    remote, lead, agent = team
    append(lead / "logistics.toml", NEW_PHRASE)

    code, out, err = run(capsys, "--library", str(lead), "team", "publish")
    assert (code, err) == (0, "")
    assert "added /wl11" in out
    assert remote_log(remote)[0] == "qr: added /wl11"
    assert "Files: logistics.toml" in git(remote, "log", "-1", "--format=%b", "main")

    assert behind_remote(agent) == 1
    code, out, err = run(capsys, "team", "pull", "--library", str(agent))
    assert (code, err) == (0, "")
    assert out == "pulled 1 commit: added /wl11\n"
    assert load_library(agent).library.find_code("wl11") is not None
    assert behind_remote(agent) == 0
    assert run(capsys, "--library", str(agent), "team", "pull")[1] == "already up to date\n"


def test_publish_names_edited_and_removed_codes_and_takes_a_message(team):
    remote, lead, agent = team
    logistics = lead / "logistics.toml"
    edit(logistics, "很抱歉包裹破损了", "非常抱歉包裹破损了")
    edit(logistics, 'code = "wl10"', 'code = "wl12"')  # a renamed code: wl10 removed, wl12 added
    (lead / "en" / "english.toml").unlink()

    result = publish(lead, "spring clean")
    assert result.committed and result.pushed == 1
    assert result.changes.added == ("/wl12",)
    assert result.changes.edited == ("/wl2",)
    assert set(result.changes.removed) == {"/wl10", "/en1"}
    assert remote_log(remote)[0] == "spring clean"
    body = git(remote, "log", "-1", "--format=%b", "main")
    assert "Added: /wl12" in body and "Edited: /wl2" in body and "/en1" in body

    outcome = pull(agent)
    assert outcome.changes.removed == result.changes.removed
    assert not (agent / "en" / "english.toml").exists()


def test_publish_commits_only_library_files(tmp_path):
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "--quiet", "--bare", "-b", "main", str(remote))
    work = tmp_path / "work"
    git(tmp_path, "clone", "--quiet", str(remote), str(work))
    configure(work, "lead")
    git(work, "switch", "--quiet", "-c", "main")
    library = write_library(work / "phrases")  # the library is a subfolder of the repository
    (work / "README.txt").write_text("team notes\n", encoding="utf-8")
    git(work, "add", ".")
    git(work, "commit", "--quiet", "-m", "start")
    git(work, "push", "--quiet", "-u", "origin", "main")

    (work / "README.txt").write_text("edited, not ours to publish\n", encoding="utf-8")
    (library / "scratch.txt").write_text("not a group file\n", encoding="utf-8")
    (library / "presale.toml").write_text('name = "售前"\n\n[[phrases]]\ncode = "sq1"\ntitle = "在的"\nbody = "在的亲"\n', encoding="utf-8")
    edit(library / "_library.toml", 'shop = "测试旗舰店"', 'shop = "新店"')

    result = publish(library)
    assert result.changes.added == ("/sq1",)
    assert result.changes.other == ("_library.toml",)
    committed = git(remote, "show", "--name-only", "--format=", "main").split()
    assert committed == ["phrases/_library.toml", "phrases/presale.toml"]
    left = git(work, "status", "--porcelain").splitlines()
    assert " M README.txt" in left and "?? phrases/scratch.txt" in left


def test_concurrent_publishes_of_different_files_rebase(team):
    remote, lead, second = team
    append(lead / "logistics.toml", NEW_PHRASE)
    edit(second / "en" / "english.toml", "sorry, your parcel", "sorry, your parcel really")
    publish(lead)

    result = publish(second)  # rejected at first: lead published in between
    assert result.rebased and result.pushed == 1
    assert remote_log(remote)[:2] == ["qr: edited /en1", "qr: added /wl11"]
    assert not rebase_in_progress(open_repo(second))
    assert load_library(second).library.find_code("wl11") is not None
    assert pull(lead).changes.edited == ("/en1",)


def test_concurrent_edits_of_different_phrases_in_one_file_rebase(team):
    remote, lead, second = team
    edit(lead / "logistics.toml", "最近物流繁忙", "近期物流繁忙")  # the first phrase
    edit(second / "logistics.toml", "记得取件哦", "记得及时取件哦")  # the last phrase
    publish(lead)

    result = publish(second)
    assert result.rebased
    text = git(remote, "show", "main:logistics.toml")
    assert "近期物流繁忙" in text and "记得及时取件哦" in text


def test_true_conflict_stops_mid_rebase_naming_the_phrase(team, capsys):
    remote, lead, second = team
    edit(lead / "logistics.toml", "最近物流繁忙", "近期物流繁忙")
    edit(second / "logistics.toml", "最近物流繁忙", "这几天物流繁忙")
    publish(lead)

    with pytest.raises(PublishConflict) as caught:
        publish(second)
    assert [(hunk.file, hunk.phrases) for hunk in caught.value.hunks] == [("logistics.toml", ("/wl1 物流繁忙安抚",))]
    message = str(caught.value)
    assert "\n" not in message and "/wl1 物流繁忙安抚" in message and "git rebase --continue" in message
    repo = open_repo(second)
    assert rebase_in_progress(repo)
    assert "<<<<<<<" in (second / "logistics.toml").read_text(encoding="utf-8")
    assert remote_log(remote)[0] == "qr: edited /wl1"  # the first publish only; nothing forced
    assert "近期物流繁忙" in git(remote, "show", "main:logistics.toml")

    code, _, err = run(capsys, "--library", str(second), "team", "publish")
    assert code == 2 and "middle of a rebase" in err and err.count("\n") == 1
    assert rebase_in_progress(repo)  # left as git left it
    mid = status(second, fetch_first=False)
    assert (mid.rebasing, mid.branch, mid.upstream) == (True, "main", "origin/main")
    assert any("rebase is in progress" in line for line in mid.lines())

    # Resolving the way the message says, then publishing again, goes through.
    text = (second / "logistics.toml").read_text(encoding="utf-8")
    resolved = text.split("<<<<<<<")[0] + "亲爱的{customer|亲}，这几天物流繁忙，您的订单{order_id}会稍慢一些。\"\"\"\n" + text.split(">>>>>>>")[1].split("\n", 1)[1]
    (second / "logistics.toml").write_text(resolved, encoding="utf-8")
    git(second, "add", "logistics.toml")
    subprocess.run(["git", "-c", "core.editor=true", "rebase", "--continue"], cwd=second, check=True, capture_output=True)
    assert publish(second).pushed == 1
    assert "这几天物流繁忙" in git(remote, "show", "main:logistics.toml")


def test_conflict_from_the_cli_is_one_line_exit_2(team, capsys):
    remote, lead, second = team
    edit(lead / "logistics.toml", "包裹破损了", "包裹有破损")
    edit(second / "logistics.toml", "包裹破损了", "包裹坏了")
    publish(lead)
    code, out, err = run(capsys, "--library", str(second), "team", "publish", "-m", "fix wl2")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "/wl2 包裹破损" in err


def test_lint_errors_block_publish(team, capsys):
    remote, lead, _ = team
    before = git(lead, "rev-parse", "HEAD")
    append(lead / "logistics.toml", '\n[[phrases]]\ncode = "wl1"\ntitle = "重复"\nbody = "坏模板 {"\n')

    code, out, err = run(capsys, "--library", str(lead), "team", "publish")
    assert code == 2 and out == ""
    assert "lint found 3 errors" in err and "qr lint" in err and "nothing was committed" in err
    assert git(lead, "rev-parse", "HEAD") == before
    assert remote_log(remote) == ["the library"]
    assert git(lead, "status", "--porcelain") == " M logistics.toml\n"


def test_nothing_to_publish(team):
    result = publish(team[1])
    assert result.pushed == 0 and result.lines() == ["nothing to publish: the library matches the team's"]


def test_pull_keeps_unpublished_edits_from_the_cli(team, capsys):
    _, lead, agent = team
    edit(lead / "logistics.toml", "记得取件哦", "记得及时取件哦")
    publish(lead)
    edit(agent / "logistics.toml", "包裹破损了", "包裹有破损")

    code, out, err = run(capsys, "--library", str(agent), "team", "pull")
    assert code == 0 and err == "" and "/wl10" in out
    text = (agent / "logistics.toml").read_text(encoding="utf-8")
    assert "包裹有破损" in text and "记得及时取件哦" in text


def test_status_reports_branch_ahead_behind_and_changed_files(team):
    _, lead, agent = team
    append(lead / "logistics.toml", NEW_PHRASE)
    publish(lead)
    (agent / "presale.toml").write_text('name = "售前"\n', encoding="utf-8")
    (agent / "notes.md").write_text("not a group\n", encoding="utf-8")

    result = status(agent)
    assert (result.branch, result.upstream, result.ahead, result.behind) == ("main", "origin/main", 0, 1)
    assert [(change.status, change.path.as_posix()) for change in result.changed] == [("added", "presale.toml")]
    assert "behind by 1 (run `qr team pull`)" in "\n".join(result.lines())
    assert status(lead, fetch_first=False).lines()[1] == "branch main tracking origin/main: up to date"


def test_not_a_work_tree(library_dir, capsys):
    code, out, err = run(capsys, "--library", str(library_dir), "team", "status")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "is not a git work tree" in err and "git clone" in err
    assert behind_remote(library_dir) is None


def test_git_missing(library_dir, capsys, monkeypatch, tmp_path):
    empty = tmp_path / "no-git-here"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    code, _, err = run(capsys, "--library", str(library_dir), "team", "pull")
    assert code == 2 and err.count("\n") == 1
    assert "git was not found" in err and "apt install git" in err
    assert behind_remote(library_dir) is None


def test_no_upstream(tmp_path, capsys):
    library = write_library(tmp_path / "solo")
    git(library, "init", "--quiet", "-b", "main")
    configure(library, "lead")
    code, _, err = run(capsys, "--library", str(library), "team", "publish")
    assert code == 2 and "no upstream configured" in err and "git push -u origin main" in err
    assert git(library, "rev-list", "--all") == ""  # nothing committed
    code, out, _ = run(capsys, "--library", str(library), "team", "status")
    assert code == 0 and "no upstream configured" in out
    assert behind_remote(library) is None


def test_compare_counts_a_moved_phrase_as_edited_and_group_settings_as_changed():
    first = 'name = "A"\n\n[[phrases]]\ncode = "x1"\ntitle = "X"\nbody = "x"\n'
    second = 'name = "B"\n'
    changes = compare(
        {PurePosixPath("a.toml"): first, PurePosixPath("b.toml"): second},
        {PurePosixPath("a.toml"): 'name = "A2"\n', PurePosixPath("b.toml"): second + first.split("\n", 1)[1]},
    )
    assert changes == Changes(edited=("/x1",), files=("a.toml", "b.toml"), other=("a.toml",))  # A renamed A2
    moved_only = compare(
        {PurePosixPath("a.toml"): first, PurePosixPath("b.toml"): second},
        {PurePosixPath("a.toml"): 'name = "A"\n', PurePosixPath("b.toml"): second + first.split("\n", 1)[1]},
    )
    assert (moved_only.edited, moved_only.other) == (("/x1",), ())
    assert moved_only.subject() == "qr: edited /x1"
    broken = compare({PurePosixPath("a.toml"): first}, {PurePosixPath("a.toml"): "name = \n"})
    assert broken.removed == ("/x1",) and broken.other == ("a.toml",)


def test_phrases_in_conflict_reads_both_sides_and_settings():
    text = (
        'name = "物流"\n'
        "<<<<<<< HEAD\n"
        'category = "售中"\n'
        "=======\n"
        'category = "售后"\n'
        ">>>>>>> abc (edit)\n"
        "\n[[phrases]]\n"
        'code = "wl1"\n'
        "<<<<<<< HEAD\n"
        'title = "物流繁忙"\n'
        "=======\n"
        'title = "物流很忙"\n'
        ">>>>>>> abc (edit)\n"
        'body = "x"\n'
        "\n[[phrases]]\n"
        'code = "wl2"\n'
        'title = "破损"\n'
        'body = "y"\n'
    )
    assert phrases_in_conflict(text) == ("group settings", "/wl1 物流繁忙", "/wl1 物流很忙")


def test_a_long_change_list_gets_a_short_subject_and_the_full_body():
    changes = Changes(added=tuple(f"/code{n}" for n in range(30)), removed=("/old",), files=("a.toml",))
    assert changes.subject() == "qr: added 30, removed 1 phrases"
    assert "/code29" in changes.body() and changes.body().endswith("Files: a.toml")


@pytest.fixture
def slow_remote(team):
    """The agent's clone with its remote swapped for one that never answers (a local `sleep`)."""
    _, _, agent = team
    git(agent, "config", "protocol.ext.allow", "always")
    git(agent, "remote", "set-url", "origin", "ext::sleep 30")
    return agent


def test_a_fetch_that_hangs_is_cut_off_by_its_timeout_or_its_stop_flag(slow_remote):
    repo = open_repo(slow_remote)
    outcome = run_git(repo.top, "fetch", "origin", timeout=0.3)
    assert outcome.code == 124 and "took longer than 0.3 s" in outcome.reason()
    stop = threading.Event()
    stop.set()
    assert behind_remote(slow_remote, timeout=60, stop=stop) is None


async def test_launcher_marks_a_library_behind_its_remote(team):
    _, lead, agent = team
    append(lead / "logistics.toml", NEW_PHRASE)
    publish(lead)
    app = build_app(agent, watch_library=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"/wl1")  # typing goes on while the check runs in its thread
        await app.workers.wait_for_complete()
        await pilot.pause()
        indicators = app.screen.query_one("#indicators", Static)
        assert "behind remote by 1 · qr team pull" in str(indicators.render())
        assert app.screen.query_text == "/wl1"

        pull(agent)
        app.screen.query_one(RemoteCheck).check()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "behind" not in str(indicators.render())


async def test_launcher_check_stays_quiet_outside_git(library_dir):
    app = build_app(library_dir, ui_lang="zh", watch_library=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        check = app.screen.query_one(RemoteCheck)
        assert check.check() is None and check.behind is None  # no git process for a plain folder
        assert "落后远程" not in str(app.screen.query_one("#indicators", Static).render())
    assert ZH["team.behind"].format(count=2) == "落后远程 2 个提交 · qr team pull"


def test_git_trouble_other_than_no_repository_is_passed_on_in_one_line(team, capsys):
    remote, _, _ = team
    inside_bare = write_library(remote / "lib")  # a folder git knows but that has no work tree
    code, _, err = run(capsys, "--library", str(inside_bare), "team", "status")
    assert code == 2 and err.count("\n") == 1
    assert "git cannot use" in err and "work tree" in err


def test_publish_stages_paths_literally_not_as_globs(team):
    """A group file named `*.toml` is staged as itself: `_draft.toml` (ignored by qr) stays out."""
    remote, lead, _ = team
    (lead / "*.toml").write_text('name = "星号"\n\n[[phrases]]\ncode = "xh1"\ntitle = "星号"\nbody = "星号"\n', encoding="utf-8")
    (lead / "_draft.toml").write_text('name = "草稿"\n', encoding="utf-8")
    result = publish(lead)
    assert result.changes.added == ("/xh1",)
    assert git(remote, "show", "--name-only", "--format=", "main").split() == ["*.toml"]
    assert "?? _draft.toml" in git(lead, "status", "--porcelain").splitlines()


def test_a_timed_out_git_is_ended_without_os_killpg(slow_remote, monkeypatch):
    """Windows has no os.killpg: the timeout still ends git (taskkill there, kill() as the last resort)."""
    import os

    monkeypatch.delattr(os, "killpg")
    outcome = run_git(open_repo(slow_remote).top, "fetch", "origin", timeout=0.3)
    assert outcome.code == 124 and "took longer than 0.3 s" in outcome.reason()


def test_two_leads_both_append_a_phrase_to_one_file_and_both_survive(team):
    """Both new phrases land at the end of the same file: git's line merge conflicts, qr's does not."""
    remote, lead, second = team
    append(lead / "logistics.toml", NEW_PHRASE)
    append(second / "logistics.toml", NEW_PHRASE.replace("wl11", "wl12").replace("改地址", "改电话").replace("地址", "电话"))
    publish(lead)

    result = publish(second)
    assert result.rebased and not rebase_in_progress(open_repo(second))
    text = git(remote, "show", "main:logistics.toml")
    assert 'code = "wl11"' in text and 'code = "wl12"' in text and "<<<<<<<" not in text
    assert pull(lead).changes.added == ("/wl12",)
    assert {"wl11", "wl12"} <= {phrase.code for _, phrase in load_library(lead).library.phrases()}


def test_pull_merges_unpublished_edits_of_other_phrases_of_the_same_file(team):
    remote, lead, agent = team
    edit(lead / "logistics.toml", "最近物流繁忙", "近期物流繁忙")
    publish(lead)
    edit(agent / "logistics.toml", "记得取件哦", "记得及时取件哦")  # not committed, not published

    result = pull(agent)
    assert result.commits == 1
    text = (agent / "logistics.toml").read_text(encoding="utf-8")
    assert "近期物流繁忙" in text and "记得及时取件哦" in text  # theirs pulled, mine kept
    assert [change.path.as_posix() for change in status(agent, fetch_first=False).changed] == ["logistics.toml"]


def test_pull_with_an_unpublished_commit_rebases_and_merges(team):
    remote, lead, agent = team
    append(lead / "logistics.toml", NEW_PHRASE)
    publish(lead)
    edit(agent / "logistics.toml", "记得取件哦", "记得及时取件哦")
    git(agent, "commit", "--quiet", "-am", "local edit")

    assert pull(agent).commits == 1
    assert not rebase_in_progress(open_repo(agent))
    text = (agent / "logistics.toml").read_text(encoding="utf-8")
    assert 'code = "wl11"' in text and "记得及时取件哦" in text


def test_pull_stops_naming_the_phrase_both_changed_and_loses_nothing(team):
    remote, lead, agent = team
    edit(lead / "logistics.toml", "最近物流繁忙", "近期物流繁忙")
    publish(lead)
    edit(agent / "logistics.toml", "最近物流繁忙", "这几天物流繁忙")
    git(agent, "commit", "--quiet", "-am", "my edit")

    with pytest.raises(PublishConflict) as caught:
        pull(agent)
    assert "/wl1 物流繁忙安抚" in str(caught.value) and "pull stopped" in str(caught.value)
    text = (agent / "logistics.toml").read_text(encoding="utf-8")
    assert "近期物流繁忙" in text and "这几天物流繁忙" in text  # both versions are in the file


def test_the_merge_driver_is_installed_for_the_clone_only(team):
    remote, lead, _ = team
    from qr.team import install_merge_driver

    repo = open_repo(lead)
    install_merge_driver(repo)
    install_merge_driver(repo)  # idempotent
    assert "qr.merge_driver %O %A %B %P" in git(lead, "config", "--local", "merge.qr.driver")
    assert (lead / ".git" / "info" / "attributes").read_text(encoding="utf-8").splitlines().count("*.toml merge=qr") == 1
    assert git(lead, "check-attr", "merge", "en/english.toml").strip().endswith("merge: qr")
    assert not (lead / ".gitattributes").exists()


def test_status_lists_phrases_changed_since_the_last_publish_by_code(team):
    _, lead, agent = team
    append(lead / "logistics.toml", NEW_PHRASE)
    publish(lead)  # the agent is now behind: the lead's /wl11 is not the agent's change
    edit(agent / "logistics.toml", "记得取件哦", "记得及时取件哦")
    git(agent, "commit", "--quiet", "-am", "committed, not published")
    append(agent / "logistics.toml", NEW_PHRASE.replace("wl11", "wl12"))
    edit(agent / "en" / "english.toml", "[[phrases]]", "[[phrases]]\n")

    result = status(agent)
    assert (result.unpublished.added, result.unpublished.edited, result.unpublished.removed) == (("/wl12",), ("/wl10",), ())
    lines = result.lines()
    assert lines[lines.index("since the last publish:") + 1 :][:2] == ["  added /wl12", "  edited /wl10"]


def test_team_status_pull_and_publish_speak_chinese_under_a_chinese_locale(team, capsys, monkeypatch):
    _, lead, agent = team
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    append(lead / "logistics.toml", NEW_PHRASE)

    code, out, err = run(capsys, "--library", str(lead), "team", "status", "--no-fetch")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == f"话术库 {lead}"
    assert lines[1] == "分支 main，跟踪 origin/main：已与团队同步"
    assert "未获取远程更新：以上数字来自上次获取" in lines
    assert "1 个未发布的文件（请运行 `qr team publish`）：" in lines
    assert "  修改       logistics.toml" in lines
    assert lines[lines.index("上次发布以来：") + 1] == "  新增 /wl11"
    assert not any(word in out for word in ("branch", "unpublished", "since the last publish", "added"))

    code, out, err = run(capsys, "--library", str(lead), "team", "publish")
    assert (code, err, out) == (0, "", "已发布：新增 /wl11\n")
    assert remote_log(team[0])[0] == "qr: added /wl11"  # the team's git history stays English

    code, out, err = run(capsys, "--library", str(agent), "team", "pull")
    assert (code, err, out) == (0, "", "已拉取 1 个提交：新增 /wl11\n")
    code, out, _ = run(capsys, "--library", str(agent), "team", "pull")
    assert out == "已是最新，没有要拉取的内容\n"
    code, out, _ = run(capsys, "--library", str(agent), "team", "status", "--no-fetch")
    assert out.splitlines()[-1] == "没有未发布的修改"
