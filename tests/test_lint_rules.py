"""The word and privacy rules of lint: forbidden, ad-law, risky-promise, privacy, overrides."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from conftest import TESTDATA, write_library
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qr.cli import main
from qr.config import bundled_library
from qr.store.lint import lint, lint_phrase
from qr.store.load import load_library
from qr.store.models import Group, Library, Phrase, RuleConfig
from qr.store.save import dumps_group
from qr.store.word_rules import compile_rules, guide_entries, parse_word_list, word_rules

REAL_LIST = TESTDATA / "forbidden" / "es3344520_advertising-limit-words_违禁词.txt"
TODAY = date(2026, 11, 25)


def scan(text: str, config: RuleConfig = RuleConfig(), root: Path = Path(".")) -> list[tuple[str, str]]:
    return [(match.kind, match.text) for match in compile_rules(config, root).scan(text)]


def one_phrase_library(tmp_path: Path, body: str, title: str = "标题", settings: str = "") -> Library:
    body_toml = json.dumps(body, ensure_ascii=False)  # a TOML basic string is a JSON string here
    root = write_library(tmp_path / "lib", {
        "_library.toml": settings or 'name = "t"\n',
        "g.toml": f'name = "G"\n\n[[phrases]]\ncode = "p1"\ntitle = "{title}"\nbody = {body_toml}\n',
    })
    return load_library(root).library


def findings_of(library: Library, rule: str | None = None):
    return [f for f in lint(library, today=TODAY) if rule is None or f.rule == rule]


# ---------------------------------------------------------------- ad-law


@pytest.mark.parametrize("text", ["最近物流繁忙", "有最新消息告诉您", "活动最后一天", "最快明天发出", "我们会第一时间处理", "第一次购买"])
def test_ordinary_words_are_not_ad_law(text):
    assert scan(text) == []


@pytest.mark.parametrize("term", ["最佳", "最低价", "全网最低", "第一品牌", "国家级", "顶级", "100%有效", "１００％有效", "NO.1", "No.1", "最便宜"])
def test_absolute_terms_are_flagged(term):
    assert scan(f"本店{term}的选择") == [("ad-law", term)]


def test_longest_term_wins_and_ascii_needs_word_boundaries():
    assert scan("全网最低价") == [("ad-law", "全网最低价")]
    assert scan("编号no.10的商品") == []  # NO.1 must not match inside NO.10
    assert scan("第一时间内全网第一") == [("ad-law", "全网第一")]  # ordinary before, absolute after


def test_single_character_term_only_flags_absolute_patterns(tmp_path):
    words = tmp_path / "words.txt"
    words.write_text("最\n", encoding="utf-8")
    config = RuleConfig(files=("words.txt",))
    assert scan("最近最后最快最迟", config, tmp_path) == []
    assert scan("这款最受欢迎", config, tmp_path) == [("ad-law", "最受欢迎")]


# ---------------------------------------------------------------- forbidden, risky


@pytest.mark.parametrize("text", ["你问我，我问谁？", "你问我我问谁", "你问我, 我问谁", "这个我不知道。", "我也没办法", "这事不归我管", "爱买不买"])
def test_forbidden_phrases(text):
    assert [kind for kind, _ in scan(text)] == ["forbidden"]


@pytest.mark.parametrize("text", ["不知道您收到了吗", "如果您不清楚尺码可以问我", "照片看不清楚，麻烦重拍", "如不清楚如何使用请告诉我"])
def test_forbidden_words_in_ordinary_use(text):
    assert scan(text) == []


@pytest.mark.parametrize("text, found", [
    ("我保证明天到", "保证明天到"),  # the hard time promise, the longer match
    ("一定能到", "一定"),
    ("下午马上到", "马上到"),
    ("今天必到", "今天必到"),
    ("We GUARANTEE it", "GUARANTEE"),
    ("It will definitely arrive", "definitely"),
])
def test_risky_promises(text, found):
    assert scan(text) == [("risky-promise", found)]


@pytest.mark.parametrize("text", ["不一定有货", "会有一定色差", "保证金已退回", "感谢您的肯定", "guaranteeing", "100%纯棉"])
def test_not_promises(text):
    assert scan(text) == []


def test_placeholder_names_are_not_text():
    assert scan("请缴纳{保证金}元") == []
    assert scan("{customer|我保证}") == [("risky-promise", "我保证")]  # a fallback is sent, so it is checked


# ---------------------------------------------------------------- positions and severities


def test_positions_single_line_multi_line_and_title(tmp_path):
    root = write_library(tmp_path / "lib", {
        "g.toml": 'name = "G"\n\n[[phrases]]\ncode = "a1"\ntitle = "顶级服务"\nbody = "亲，\\"本店\\"最佳的选择"\n'
                  '\n[[phrases]]\ncode = "a2"\ntitle = "t"\nbody = """\n第一行\n这是国家级品牌，第一品牌"""\n',
    })
    found = sorted((f.line, f.column, f.rule, f.code) for f in findings_of(load_library(root).library, "ad-law"))
    # title = "顶级服务": 顶 at column 10; body = "亲，\"本店\"最佳…": 最 at column 17 (escapes counted as written)
    # the second body starts on line 12 (after `body = """`): 第一行 is ordinary, line 13 has two terms
    assert found == [(5, 10, "ad-law", "a1"), (6, 17, "ad-law", "a1"), (13, 3, "ad-law", "a2"), (13, 9, "ad-law", "a2")]


def test_severities_and_messages(tmp_path):
    library = one_phrase_library(tmp_path, "我也没办法，保证全网最低价，电话13812345678")
    by_rule = {f.rule: f for f in findings_of(library)}
    assert by_rule["forbidden"].severity == "error"
    assert by_rule["ad-law"].severity == "error" and "优惠价" in by_rule["ad-law"].message_in("zh")  # a price ranking: a hard violation
    assert by_rule["risky-promise"].severity == "warning" and "尽力" in by_rule["risky-promise"].message_in("zh")
    assert by_rule["privacy"].severity == "warning"
    assert "13812345678" not in by_rule["privacy"].message  # the report does not spread the number
    assert (by_rule["privacy"].line, by_rule["privacy"].column) == (6, 25)


def test_notes_and_tags_are_not_checked(tmp_path):
    root = write_library(tmp_path / "lib", {
        "g.toml": 'name = "G"\n[[phrases]]\ncode = "a"\ntitle = "t"\nbody = "您好"\ntags = ["最佳"]\nnote = "不要说“我也没办法”"\n',
    })
    assert findings_of(load_library(root).library) == []


def test_lint_phrase_for_an_unsaved_phrase(tmp_path):
    library = one_phrase_library(tmp_path, "您好")
    group = library.groups[0]
    draft = Phrase(title="新话术", body="您好\n这款顶级", code="new")
    found = [(f.rule, f.line, f.column) for f in lint_phrase(library, group, draft, today=TODAY)]
    assert found == [("ad-law", 2, 3)]  # no file position yet: counted inside the body


# ---------------------------------------------------------------- privacy


@pytest.mark.parametrize("text, kind", [
    ("请联系13812345678", "mobile"),
    ("手机 138 1234 5678", "mobile"),
    ("+86 13812345678", "mobile"),
    ("座机010-12345678", "landline"),
    ("电话(0571)88886666", "landline"),
    ("身份证11010519491231002X", "id_card"),
    ("身份证110105194912310021", "id_card"),
    ("卡号6222021234567890123", "bank_card"),
    ("卡号6222 0212 3456 7890", "bank_card"),
])
def test_privacy_positives(text, kind):
    from qr.store.privacy import find_numbers

    assert [number.kind for number in find_numbers(text)] == [kind]


@pytest.mark.parametrize("text", [
    "您的订单{order_id}已发货",
    "订单{order_id|20261125001}",
    "48小时内发货，1-3个工作日到账",
    "活动时间2026-06-01至2026-06-20",
    "满299减30",
    "快递单号{tracking_no}",
])
def test_privacy_negatives(text):
    from qr.store.privacy import find_numbers

    assert find_numbers(text) == []


# ---------------------------------------------------------------- library overrides


def test_overrides_forbidden_risky_allow(tmp_path):
    settings = 'name = "t"\n[rules]\nforbidden = ["包你满意"]\nrisky = ["包邮到家"]\nallow = ["保证", "顶级"]\n'
    library = one_phrase_library(tmp_path, "包你满意，包邮到家，保证正品，顶级面料，我保证", settings=settings)
    found = [(f.rule, f.severity, f.args["text"]) for f in findings_of(library)]
    assert found == [
        ("forbidden", "error", "包你满意"),
        ("risky-promise", "warning", "包邮到家"),
        ("risky-promise", "warning", "我保证"),  # a longer term than the allowed word is still checked
    ]
    assert all(entry.term not in {"保证", "顶级"} for entry in guide_entries(library))


def test_rules_files_bom_comments_duplicates_and_alternatives(tmp_path):
    words = "\ufeff# 本店补充\n  镇店之宝  \n\n镇店之宝\n爆款王\t热门款\n# 最后\n"
    settings = 'name = "t"\n[rules]\nfiles = ["words.txt"]\n'
    library = one_phrase_library(tmp_path, "镇店之宝，爆款王", settings=settings)
    (library.root / "words.txt").write_bytes(words.encode("utf-8"))
    found = findings_of(library, "ad-law")
    assert [f.args["text"] for f in found] == ["镇店之宝", "爆款王"]
    assert "from words.txt" in found[0].message_in("en") and "热门款" in found[1].message_in("zh")
    entries = [e for e in guide_entries(library) if e.source == "words.txt"]
    assert [(e.term, e.kind, e.alternative) for e in entries] == [("镇店之宝", "ad-law", ""), ("爆款王", "ad-law", "热门款")]


def test_parse_word_list_trims_and_dedupes():
    entries = parse_word_list("\ufeff最佳\n最佳 \n 最 佳\n#x\n\nNO.1\nno.1\n", "ad-law", "w.txt")
    assert [e.term for e in entries] == ["最佳", "NO.1"]


def test_missing_and_unreadable_rules_files_are_findings(tmp_path):
    settings = 'name = "t"\n\n[rules]\nfiles = ["missing.txt", "latin1.txt"]\nforbiden = ["x"]\n'
    library = one_phrase_library(tmp_path, "您好", settings=settings)
    (library.root / "latin1.txt").write_bytes(b"good\n\xe9t\xe9\n")
    found = [(f.file.name, f.line, f.severity, f.rule) for f in findings_of(library) if f.file.name == "_library.toml"]
    assert found == [
        ("_library.toml", 4, "error", "rules-file"),
        ("_library.toml", 4, "error", "rules-file"),
        ("_library.toml", 5, "warning", "unknown-key"),
    ]
    messages = " ".join(f.message for f in findings_of(library, "rules-file"))
    assert "missing.txt" in messages and "not UTF-8" in messages


def test_a_broken_expression_in_rules_is_a_finding_not_a_crash(tmp_path, capsys):
    """A `re:` term that does not compile, in `[rules]` or in a listed file, is reported at its
    key and left out; the library's other terms are still checked (it used to end in exit 70)."""
    settings = 'name = "t"\n\n[rules]\nforbidden = ["re:(abc", "坏词"]\nfiles = ["words.txt"]\n'
    library = one_phrase_library(tmp_path, "坏词，镇店之宝", settings=settings)
    (library.root / "words.txt").write_text("re:[x\t\tnot-before=(\n镇店之宝\n", encoding="utf-8")
    problems = [(f.line, f.message_id, f.args.get("term")) for f in findings_of(library, "rules-file")]
    assert problems == [(4, "lint.rules_bad_expression", "(abc"), (5, "lint.rules_file_bad_expression", "[x")]
    assert "不是有效的正则表达式" in findings_of(library, "rules-file")[0].message_in("zh")
    assert {f.args["text"] for f in findings_of(library, "forbidden") + findings_of(library, "ad-law")} == {"坏词", "镇店之宝"}
    assert main(["check", "--library", str(library.root), "坏词"]) == 1
    assert "坏词" in capsys.readouterr().out


def test_compiled_rules_are_cached_and_follow_the_file(tmp_path):
    settings = 'name = "t"\n[rules]\nfiles = ["words.txt"]\n'
    library = one_phrase_library(tmp_path, "镇店之宝", settings=settings)
    words = library.root / "words.txt"
    words.write_text("爆款王\n", encoding="utf-8")
    first = word_rules(library)
    assert word_rules(library) is first
    assert findings_of(library, "ad-law") == []
    words.write_text("镇店之宝\n爆款王\n", encoding="utf-8")
    assert word_rules(library) is not first
    assert len(findings_of(library, "ad-law")) == 1


# ---------------------------------------------------------------- the real 194-term list


@pytest.fixture
def real_list() -> Path:
    if not REAL_LIST.is_file():
        pytest.skip("the shared test data (../shared/testdata) is not present")
    return REAL_LIST


def test_bundled_library_with_the_real_list_has_no_errors_and_no_ad_law(tmp_path, real_list):
    root = tmp_path / "bundled"
    shutil.copytree(bundled_library(), root, ignore=shutil.ignore_patterns("__init__.py", "__pycache__"))
    shutil.copyfile(real_list, root / "words.txt")
    with (root / "_library.toml").open("a", encoding="utf-8") as settings:
        settings.write('\n[rules]\nfiles = ["words.txt"]\n')
    result = load_library(root)
    findings = lint(result.library, result.problems, today=TODAY)
    assert [f for f in findings if f.severity in ("error", "warning")] == []  # issue 15: zero errors and warnings
    entries = guide_entries(result.library)
    from_file = [entry.term for entry in entries if entry.source == "words.txt"]
    assert {"一套题学会", "政协用酒", "增强第六感"} <= set(from_file)
    assert not {"性价比之王", "推荐", "安全"} & set(from_file)  # built in too: the built-in entry and its context stand
    assert len(from_file) == len(set(from_file))  # the list's duplicates (绝对, 无效退款 …) once
    assert {"最", "NO.1", "销量冠军", "第一"} <= {entry.term for entry in entries}  # also built in: listed once


def test_real_list_flags_absolute_terms_with_positions(tmp_path, real_list):
    root = write_library(tmp_path / "lib", {
        "_library.toml": 'name = "t"\n[rules]\nfiles = ["words.txt"]\n',
        "g.toml": 'name = "G"\n\n[[phrases]]\ncode = "a1"\ntitle = "t"\nbody = """\n最近上新，最佳之选\n国家级工艺，第一品牌"""\n',
    })
    shutil.copyfile(real_list, root / "words.txt")
    found = sorted((f.line, f.column, f.args["text"]) for f in findings_of(load_library(root).library, "ad-law"))
    assert found == [(7, 6, "最佳"), (8, 1, "国家级"), (8, 7, "第一品牌")]


def test_bundled_library_has_no_errors_and_no_warnings():
    result = load_library(bundled_library())
    assert [f for f in lint(result.library, today=TODAY) if f.severity in ("error", "warning")] == []


# ---------------------------------------------------------------- command line


def test_cli_lint_json_and_text(tmp_path, capsys):
    library = one_phrase_library(tmp_path, "这个我不知道，最佳选择")
    code = main(["--library", str(library.root), "lint", "--json"])
    rows = json.loads(capsys.readouterr().out)
    assert code == 1
    assert [(r["rule"], r["severity"], r["line"], r["column"], r["code"]) for r in rows] == [
        ("forbidden", "error", 6, 9, "p1"),  # 这个我不知道: the brush-off with its subject
        ("ad-law", "warning", 6, 16, "p1"),
    ]
    assert all(set(row) >= {"file", "line", "column", "severity", "rule", "code", "message", "message_id", "args"} for row in rows)
    code = main(["--library", str(library.root), "lint"])
    out = capsys.readouterr().out
    assert code == 1
    assert "g.toml\n  6:9  error   forbidden /p1" in out and "6:16  warning ad-law /p1" in out


def test_cli_lint_warnings_only_exit_zero(tmp_path, capsys):
    library = one_phrase_library(tmp_path, "最佳选择")
    assert main(["--library", str(library.root), "lint"]) == 0
    assert "0 errors, 1 warnings" in capsys.readouterr().out


# ---------------------------------------------------------------- positions, whatever the escapes

# characters that need TOML escapes or line breaks, and none that could form a term with 顶级
FILLER = st.text(alphabet=st.sampled_from(list('ab 你们，"\\\n\t\'\r\x01é')), max_size=30)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=FILLER, after=FILLER, title_before=st.text(alphabet=st.sampled_from(list('ab你"\\')), max_size=8))
def test_positions_point_at_the_term_in_the_saved_file(tmp_path, before, after, title_before):
    body = f"{before}顶级{after}"
    title = f"x{title_before}极品"  # another term: the title's finding is its own (one term is reported once a phrase)
    group = Group(path=Path("g.toml"), name="G", phrases=(Phrase(title=title, body=body, code="p1"),))
    root = tmp_path / "prop"
    root.mkdir(exist_ok=True)
    (root / "g.toml").write_text(dumps_group(group), encoding="utf-8")
    lines = (root / "g.toml").read_text(encoding="utf-8").split("\n")
    found = findings_of(load_library(root).library, "ad-law")
    assert len(found) == 2
    for finding in found:
        assert lines[finding.line - 1][finding.column - 1:].startswith(finding.args["text"])
    assert {finding.args["text"] for finding in found} == {"顶级", "极品"}


@pytest.mark.parametrize("body_toml, line, column", [
    ("'''\n第一行\\n\n这是顶级'''", 8, 3),          # literal string: a backslash is just a character
    ('"""\n第一行 \\\n    这是顶级"""', 8, 7),     # line-ending backslash joins the next line's text
    ('"\\u4e00\\t这是顶级"', 6, 19),               # \u escape: six characters in the file, one in the body
    ("'这是顶级'", 6, 11),
])
def test_positions_with_hand_written_strings(tmp_path, body_toml, line, column):
    root = write_library(tmp_path / "lib", {"g.toml": f'name = "G"\n\n[[phrases]]\ncode = "a1"\ntitle = "t"\nbody = {body_toml}\n'})
    found = [(f.line, f.column) for f in findings_of(load_library(root).library, "ad-law")]
    assert found == [(line, column)]


# ---------------------------------------------------------------- issue 15: families, normalising, once, control characters


@pytest.mark.parametrize("text, family, found", [
    ("请加 V x 联系", "off-platform", "加 V x"),
    ("加ＶＸ发您视频", "off-platform", "加ＶＸ"),
    ("請加薇信", "off-platform", "加薇信"),
    ("加.微.信", "off-platform", "加.微.信"),
    ("QQ群里见", "off-platform", "QQ群"),
    ("五星好评晒图送红包", "review-incentive", "五星好评晒图送红包"),
    ("Leave a 5-star review and get $5 back", "review-incentive", "5-star review and get $5"),
    ("特效祛痘", "efficacy", "特效"),
    ("絕對安全", "ad-law", "絕對安全"),  # traditional characters read as simplified, reported as written
    ("您到底要不要", "forbidden", "您到底要不要"),
    ("假一赔十", "risky-promise", "假一赔十"),
])
def test_families_and_normalising(text, family, found):
    assert scan(text)[0] == (family, found)


@pytest.mark.parametrize("text", [
    "口感最佳", "最佳食用期", "手洗最好", "最大码", "最小码", "冷藏最高温度", "最低起订量", "100% cotton", "100%棉",
    "照片不清楚", "图片有点不清楚", "最新预计送达时间", "为您推荐最佳解决方案", "最新批次", "最迟周五", "活动最后一天",
    "满意的话给个好评哦", "需要我帮您推荐尺码吗", "材质很安全", "可以申请试用装", "指定快递需要补差价",
])
def test_the_traps_of_issue_15_are_clean(text):
    assert scan(text) == []


def test_lone_words_of_an_outside_list_count_only_in_a_claim(tmp_path):
    (tmp_path / "w.txt").write_text("推荐\n安全\n试用\n指定\n", encoding="utf-8")
    config = RuleConfig(files=("w.txt",))
    assert scan("需要我帮您推荐吗？材质安全，可以试用，指定快递也行", config, tmp_path) == []
    assert [text for _, text in scan("专家推荐，绝对安全", config, tmp_path)] == ["推荐", "绝对安全"]


def test_a_title_repeated_in_the_body_is_one_finding(tmp_path):
    library = one_phrase_library(tmp_path, "顶级服务", title="顶级服务")
    found = findings_of(library, "ad-law")
    assert [(f.field, f.start, f.end) for f in found] == [("title", 0, 2)]


def test_control_characters_are_errors_with_their_position(tmp_path):
    library = one_phrase_library(tmp_path, "您好\u202e，订单\x07已发货")
    found = [(f.severity, f.line, f.column, f.args["char"], f.start) for f in findings_of(library, "control-char")]
    assert found == [("error", 6, 11, "U+202E", 2), ("error", 6, 15, "U+0007", 6)]  # \x07 is written as \u0007 in the file
    assert "正文" in findings_of(library, "control-char")[0].message_in("zh")


def test_rules_add_to_families_and_regrade(tmp_path):
    settings = ('name = "t"\n[rules]\n"off-platform" = ["钉钉号"]\nefficacy = ["去黑头"]\n'
                'warnings = ["全网最低价"]\nerrors = ["最好"]\n')
    library = one_phrase_library(tmp_path, "钉钉号发您，去黑头，全网最低价，这是最好的", settings=settings)
    found = [(f.rule, f.severity, f.args["text"]) for f in findings_of(library) if f.rule != "no-code"]
    assert sorted(found) == sorted([
        ("off-platform", "error", "钉钉号"),
        ("efficacy", "error", "去黑头"),
        ("ad-law", "warning", "全网最低价"),
        ("ad-law", "error", "最好"),
    ])
    assert not [f for f in findings_of(library) if f.rule == "unknown-key"]


def test_findings_are_ids_with_text_in_both_languages(tmp_path):
    library = one_phrase_library(tmp_path, "加我微信")
    finding = findings_of(library, "off-platform")[0]
    assert finding.message_id == "lint.word" and finding.args["text"] == "加我微信"
    assert "off-platform contact" in finding.message_in("en") and "站外联系" in finding.message_in("zh")
    assert "this chat window" in finding.message_in("en") and "平台聊天窗口" in finding.message_in("zh")


def test_every_lint_message_exists_in_both_languages():
    from qr.i18n import EN, ZH
    from qr.store.word_rules import KINDS

    assert {k for k in EN if k.startswith("lint.")} == {k for k in ZH if k.startswith("lint.")}
    for family in (*KINDS, "privacy", "control-char"):
        for part in ("family", "reason", "advice"):
            assert f"lint.{part}.{family}" in EN


def test_every_built_in_term_has_an_alternative_or_leaves_it_out():
    for entry in guide_entries(None):
        assert entry.term and entry.kind and entry.severity in ("error", "warning")
