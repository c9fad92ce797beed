"""`qr import` and `qr export` (issue 7): real files from shared/testdata, hand-made
Qianniu sheets, malformed input, conflicts, and export -> import round trips."""

from __future__ import annotations

import csv
import io
import random
import textwrap
from pathlib import Path

import pytest
from conftest import TESTDATA, write_library

from qr.cli import main
from qr.index.phrase_index import PhraseIndex
from qr.messages import Message
from qr.render import check, render
from qr.store.load import load_library
from qr.store.save import dumps_group
from qr.transfer.detect import decode
from qr.transfer.entries import TransferError
from qr.transfer.plan import build_plan, dumps_in_chunks
from qr.transfer.progress import TextBar
from qr.transfer.sogou import parse_sogou

SOGOU = TESTDATA / "sogou"
RIME = TESTDATA / "rime"
ESPANSO = TESTDATA / "espanso"
BIG_TABLE = SOGOU / "songshua295_PhraseConverter_PhraseEdit.txt"


@pytest.fixture
def testdata():
    if not TESTDATA.is_dir():
        pytest.skip(f"shared test data not found at {TESTDATA}")
    return TESTDATA


def run(capsys, *argv):
    code = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    return code, out, err


def imported(root: Path) -> dict[str, object]:
    """code -> (phrase, group) of a library after an import; the library must load without problems."""
    result = load_library(root)
    assert result.problems == ()
    found = {}
    for group, phrase in result.library.phrases():
        assert check(phrase.body) is None, phrase
        found[phrase.code] = (phrase, group)
    return found


def files_of(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def body(found, code: str) -> str:
    return found[code][0].body


# --- Sogou -----------------------------------------------------------------------------------


def test_sogou_phrase_edit_with_multiline_entries_and_time_expression(testdata, tmp_path, capsys):
    target = tmp_path / "lib"
    code, out, err = run(capsys, "import", SOGOU / "crazyetiii_SogouPY_PhraseEdit.txt", "--into", target)
    assert code == 0, err
    assert "Sogou PhraseEdit, UTF-16LE with BOM, 11 entries" in out
    assert "imported 11, replaced 0, renamed 0, skipped 0" in out
    found = imported(target)
    assert list(found) == ["ex", "i", "me", "p", "path", "ppath", "pre", "sj", "suo", "svn", "ln"]
    # multi-line entries intact: indentation kept, the blank line inside kept, trailing blank lines dropped
    assert body(found, "me") == (
        "methodName = new System.Diagnostics.StackTrace().GetFrame(0).GetMethod().Name;\n            Log.Start(methodName);"
    )
    assert body(found, "svn") == "账号:\n密码:*******\n\n请参考文档先修改密码,密码可以记下来.\n权限需要找某某某开."
    assert body(found, "suo").count("\n") == 3 and body(found, "suo").startswith("/*启用缩放*/\n")
    assert body(found, "path") == "PATH=C:/Qt5.6.3/5.6.3/mingw49_32/bin"  # `=` inside a phrase
    # `#$year$month_mm$day_dd $fullhour$minute$second` -> built-ins, with a warning for the changed form
    assert body(found, "sj") == "{today} {now}"
    assert "/sj: $fullhour$minute$second -> {now} (HH:MM, seconds dropped)" in out
    # literal braces are escaped so the template stays valid and renders the text as it was
    assert render(body(found, "ln")).text == 'Log.WriteLine(methodName, string.Format(":{0}", ))'
    # titles come from the first line, at most 20 characters
    assert found["svn"][0].title == "账号:"
    assert found["me"][0].title == "methodName = new Sy…" and len(found["me"][0].title) == 20
    assert not any(";" in phrase.body[:1] for phrase, _ in found.values())  # no comment line imported
    group = found["ex"][1]
    assert group.name == "crazyetiii_SogouPY_PhraseEdit" and group.path == Path("crazyetiii-sogoupy-phraseedit.toml")
    assert (target / "_library.toml").read_text(encoding="utf-8") == 'name = "lib"\n'


def test_big_sogou_table_imports_and_is_searchable(testdata, tmp_path, capsys):
    target = tmp_path / "big"
    code, out, err = run(capsys, "import", BIG_TABLE, "--into", target)
    assert code == 0, err
    assert "imported 45850, replaced 0, renamed 3860, skipped 0" in out
    library = load_library(target).library
    assert sum(len(group.phrases) for group in library.groups) == 45850
    index = PhraseIndex.from_libraries([library])
    # `a,3=安装`, `a,1=啊`, `a,2=按`: ordered by position, then suffixed
    assert [(hit.phrase.code, hit.phrase.title) for hit in index.search("/a", limit=3)] == [
        ("a", "啊"),
        ("a-2", "按"),
        ("a-3", "安装"),
    ]
    assert index.search("/zzzz", limit=1)[0].phrase.body == "走走"
    assert index.by_code("tt-2").phrase.body == "=="  # `tt,1===`: the phrase is `==`
    assert any(hit.phrase.body == "走散" for hit in index.search("走散", limit=5))


def test_shouxin_table_is_utf16le_without_bom(testdata, tmp_path):
    source = SOGOU / "songshua295_PhraseConverter_shouxin_format.txt"
    assert source.read_bytes()[:2] == b"a\x00"
    text, encoding = decode(source.read_bytes(), source)
    assert encoding.english == "UTF-16LE without BOM"
    parsed = parse_sogou(text)
    assert parsed.format == Message("import.format_shouxin")
    plan = build_plan(parsed, tmp_path / "lib", default_group="手心")
    assert plan.imported == 45852 and plan.count("renamed") == 3860 and plan.count("skipped") == 0
    phrases = {phrase.code: phrase.body for phrase in plan.new_groups[0].phrases}
    assert (phrases["vey"], phrases["gdhh"], phrases["zzzz"]) == ("谪", "改行", "走走")
    assert plan.new_groups[0].path == Path("shouxin.toml")
    assert not (tmp_path / "lib").exists()  # planning writes nothing


def test_sogou_mobile_csv(testdata, tmp_path, capsys):
    target = tmp_path / "lib"
    code, out, err = run(capsys, "import", SOGOU / "songshua295_PhraseConverter_sogou_mobile_changyongyu.csv", "--into", target)
    assert code == 0, err
    assert "Sogou mobile 常用语 CSV, UTF-8, 7907 entries" in out
    assert "imported 7907, replaced 0, renamed 315, skipped 0" in out
    found = imported(target)
    # `wwdw,涠,1` / `wwdw,沩,2` / `wwdw,溦,4`: by position
    assert (body(found, "aakw"), body(found, "wwdw"), body(found, "wwdw-2"), body(found, "wwdw-3")) == ("嗄", "涠", "沩", "溦")


def test_sogou_expressions_map_to_builtins_or_stay_text(tmp_path):
    text = "\n".join(
        [
            "rq,1=#$year-$month_mm-$day_dd",
            "cn,1=#今天是$year年$month月$day_dd日 星期$weekday_cn",
            "t,1=#$fullhour_hh:$minute",
            "am,1=#$halfhour:$minute $ampm",
            "xq,1=#$weekday_cn",
            "fee,1=单价$5 ${x} {0} {件数}",
        ]
    )
    parsed = parse_sogou(text)
    plan = build_plan(parsed, tmp_path / "lib", default_group="g")
    phrases = {phrase.code: phrase.body for phrase in plan.new_groups[0].phrases}
    assert phrases["rq"] == "{today}"
    assert phrases["cn"] == "今天是{today} {weekday}"
    assert phrases["t"] == "{now}"
    assert phrases["am"] == "#$halfhour:$minute $ampm"  # no built-in for a 12-hour clock: kept as text
    weekday = next(phrase for phrase in plan.new_groups[0].phrases if phrase.code == "xq")
    assert (weekday.body, weekday.lang) == ("{weekday}", "zh")  # Sogou's weekday is Chinese
    # literal braces escaped; `{件数}` is written the way qr writes a placeholder, so it stays one
    assert phrases["fee"] == "单价$5 ${{x}} {{0}} {件数}"
    assert any("/fee: {件数} kept as placeholders" in str(notice.message) for notice in plan.notices)
    warnings = [str(notice.message) for notice in plan.notices if notice.kind == "warning"]
    assert any("/am: time expression kept as text" in warning for warning in warnings)
    assert not any(warning.startswith("/rq") or warning.startswith("/t:") for warning in warnings)


# --- Rime ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, entries, renamed, skipped",
    [
        ("iDvel_rime-ice_custom_phrase.txt", 33, 5, 0),
        ("AGou-ops_rime_custom_phrase.txt", 16, 0, 0),
        ("LufsX_rime_custom_phrase.txt", 82, 12, 2),
    ],
)
def test_rime_files(testdata, tmp_path, capsys, name, entries, renamed, skipped):
    target = tmp_path / "lib"
    code, out, err = run(capsys, "import", RIME / name, "--into", target)
    assert code == 0, err
    assert f"imported {entries}, replaced 0, renamed {renamed}, skipped {skipped}" in out
    assert len(imported(target)) == entries


def test_rime_weights_spaces_and_duplicates(testdata, tmp_path, capsys):
    ice, agou, lufsx = tmp_path / "ice", tmp_path / "agou", tmp_path / "lufsx"
    run(capsys, "import", RIME / "iDvel_rime-ice_custom_phrase.txt", "--into", ice)
    found = imported(ice)
    # 有 u 3 / 又 u 2 / 由 u 1: the heaviest keeps the code
    assert [body(found, code) for code in ("u", "u-2", "u-3")] == ["有", "又", "由"]
    assert [body(found, code) for code in ("i", "i-2", "i-3", "i-4")] == ["一", "以", "已", "亦"]

    run(capsys, "import", RIME / "AGou-ops_rime_custom_phrase.txt", "--into", agou)
    found = imported(agou)
    assert body(found, "k") == "kubernetes"  # `k ` with a stray space
    assert body(found, "linux") == "Linux" and body(found, "zm") == "怎么"
    assert body(found, "proxy").startswith("export https_proxy=http://") and body(found, "proxy").endswith(":6152")

    code, out, _ = run(capsys, "import", RIME / "LufsX_rime_custom_phrase.txt", "--into", lufsx)
    found = imported(lufsx)
    assert body(found, "linux") == "Linux"  # `Linux linux`: a space instead of the tab
    assert "/linux: a space instead of a tab" in out
    assert "/ipad: duplicate of an earlier row" in out
    assert body(found, "macos") == "macOS Golden Gate"  # `macOS` (upper-case code), weight 9
    assert [body(found, code) for code in ("rime", "rime-2", "rime-3")] == ["Rime", "中州韵输入法引擎", "https://rime.im/"]
    assert body(found, "cmd") == "⌘" and body(found, "shift") == "⇧"


# --- espanso ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, entries, skipped",
    [
        ("ZuoAnZoom_myconfig_espanso_match_base.yml", 25, 1),
        ("chrisgrieser_config_espanso_match_email.yml", 7, 1),
        ("espanso-hub_Form-list_package.yml", 0, 1),
        ("espanso-hub_bib-generator_1.0.0_package.yml", 0, 1),
    ],
)
def test_espanso_files(testdata, tmp_path, capsys, name, entries, skipped):
    target = tmp_path / "lib"
    code, out, err = run(capsys, "import", ESPANSO / name, "--into", target)
    assert code == 0, err
    assert f"imported {entries}, replaced 0, renamed 0, skipped {skipped}" in out
    if entries:
        assert len(imported(target)) == entries
    else:
        assert not target.exists()  # nothing to write: no library created


def test_espanso_variables_cursor_and_triggers(testdata, tmp_path, capsys):
    base, email = tmp_path / "base", tmp_path / "email"
    code, out, _ = run(capsys, "import", ESPANSO / "ZuoAnZoom_myconfig_espanso_match_base.yml", "--into", base)
    found = imported(base)
    assert body(found, "date") == "{today}"
    assert body(found, "now") == "{today} {now}"
    assert body(found, "us") == "作为一个，\n我希望，\n从而。"  # `$|$` dropped, multi-line kept
    assert body(found, "gc") == 'git commit -s -m ""'
    assert body(found, "163") == "user4@example.com"
    assert body(found, "aipt").startswith("你需要。\n\n背景：\n\n\nUser Story:")
    assert "ip" not in found and "/ip: runs a shell command" in out

    run(capsys, "import", ESPANSO / "chrisgrieser_config_espanso_match_email.yml", "--into", email)
    found = imported(email)
    # `!greet` is shared by three matches: each takes a trigger of its own, the lone `!greet` keeps /greet
    assert body(found, "sm") == "Dear sir or madam,"
    assert found["sm"][0].note == "espanso triggers: greet, sm"
    assert body(found, "greet") == "Sehr geehrte ,"
    assert body(found, "dh").startswith("Sehr geehrte Damen und Herren,\n")
    assert found["kr"][0].title == "Kind Regards"  # the label
    assert body(found, "kr") == "Kind Regards\nChris Grieser"
    assert found["kr"][0].lang == "en"


def test_espanso_never_executes_and_maps_forms(tmp_path, capsys):
    marker = tmp_path / "executed"
    source = tmp_path / "match.yml"
    source.write_text(
        textwrap.dedent(
            f"""\
            global_vars:
              - name: sig
                type: echo
                params:
                  echo: "客服小王"
            matches:
              - trigger: ":run"
                replace: "{{{{out}}}}"
                vars:
                  - name: out
                    type: shell
                    params:
                      cmd: "touch {marker}"
              - trigger: ";hi"
                replace: "您好{{{{name}}}}，我是{{{{sig}}}} {{1}}"
              - trigger: "!addr"
                form: "收货地址：[[address]]，电话：[[phone]]"
              - trigger: ":pick"
                replace: "选择：{{{{form1.choice}}}}"
                vars:
                  - name: form1
                    type: form
                    params:
                      layout: "[[choice]]"
              - trigger: ":cb"
                replace: "{{{{clipboard}}}}"
                vars:
                  - name: clipboard
                    type: clipboard
              - trigger: ":img"
                image_path: "/tmp/x.png"
            """
        ),
        encoding="utf-8",
    )
    target = tmp_path / "lib"
    code, out, err = run(capsys, "import", source, "--into", target)
    assert code == 0, err
    assert not marker.exists()
    found = imported(target)
    assert set(found) == {"hi", "addr", "pick", "cb"}
    assert body(found, "hi") == "您好{name}，我是客服小王 {{1}}"
    assert body(found, "addr") == "收货地址：{address}，电话：{phone}"
    assert body(found, "pick") == "选择：{choice}"
    assert body(found, "cb") == "{clipboard}"
    assert "/run: runs a shell command" in out and "an image match" in out


# --- Qianniu sheets --------------------------------------------------------------------------

QIANNIU_CSV = (
    "快捷编码,快捷短语,快捷短语分组\r\n"
    "hy,亲&#44;欢迎光临&#13;有什么可以帮您？,售前\r\n"
    "物流,\"亲，您的包裹在路上了，{请 耐心}等待\",物流\r\n"
    "dd,订单{order_id}已发货,\r\n"
    "⌘,只有符号的编码,售前\r\n"
    "★,🙂,售前\r\n"
    "hy,重复的编码,售前\r\n"
    ",没有编码的话术,\r\n"
    "kk,,售前\r\n"
)


def test_qianniu_csv_groups_escapes_and_codes(tmp_path, capsys):
    source = tmp_path / "千牛快捷短语.csv"
    source.write_bytes(("\ufeff" + QIANNIU_CSV).encode("utf-8"))
    target = write_library(tmp_path / "lib")
    code, out, err = run(capsys, "import", source, "--into", target)
    assert code == 0, err
    assert "Qianniu sheet (CSV), UTF-8 with BOM" in out
    assert "imported 7, replaced 0, renamed 4, skipped 1" in out
    found = imported(target)
    assert body(found, "hy") == "亲,欢迎光临\n有什么可以帮您？"  # &#44; and &#13;
    assert body(found, "hy-2") == "重复的编码"
    assert body(found, "wuliu") == "亲，您的包裹在路上了，{{请 耐心}}等待"  # pinyin code, literal braces
    assert "/物流 -> /wuliu" in out
    assert body(found, "zyfhdbm") == "只有符号的编码" and "/⌘ -> /zyfhdbm" in out  # initials of the text
    assert body(found, "dd") == "订单{order_id}已发货"  # a declared variable stays a placeholder
    assert found["dd"][1].name == "未分组" and found["hy"][1].name == "售前" and found["wuliu"][1].name == "物流"
    assert found[None][0].body == "没有编码的话术"
    assert body(found, "imp1") == "🙂" and "/★ -> /imp1" in out  # nothing to make a code from: numbered
    assert "/kk: empty phrase" in out
    assert found["hy"][1].category == "导入"
    # the library's own logistics.toml is untouched; the 物流 group got a file of its own
    assert found["wl1"][1].path == Path("logistics.toml") and found["wuliu"][1].path == Path("wuliu.toml")


def test_qianniu_second_header_variant_and_gb18030(tmp_path, capsys):
    source = tmp_path / "sheet.csv"
    source.write_bytes("快捷短语编码,快捷短语,快捷短语分组\r\nth,退货请寄回,售后\r\n".encode("gb18030"))
    code, out, err = run(capsys, "import", source, "--into", tmp_path / "lib")
    assert code == 0, err
    assert "Qianniu sheet (CSV), GB18030" in out
    assert body(imported(tmp_path / "lib"), "th") == "退货请寄回"


def _workbook(rows) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_qianniu_xlsx(tmp_path, capsys):
    source = tmp_path / "sheet.xlsx"
    source.write_bytes(
        _workbook(
            [
                ("快捷编码", "快捷短语", "快捷短语分组"),
                ("hy", "亲，欢迎光临\n有什么可以帮您？", "售前"),
                (101, "数字编码&#13;第二行", None),
                (None, None, None),
                ("fh", "当天发货_x000D_\n次日到达", "物流"),
            ]
        )
    )
    target = tmp_path / "lib"
    code, out, err = run(capsys, "import", source, "--into", target, "--group", "全部")
    assert code == 0, err
    assert "Qianniu sheet (XLSX), XLSX workbook, 3 entries" in out
    found = imported(target)
    assert body(found, "hy") == "亲，欢迎光临\n有什么可以帮您？"
    assert body(found, "101") == "数字编码\n第二行"
    assert body(found, "fh") == "当天发货\n次日到达"
    assert {group.name for _, group in found.values()} == {"全部"}  # --group puts everything in one group


# --- malformed input: one line on stderr, exit 2, nothing written ---------------------------


def _truncated_utf16() -> bytes:
    return ("\ufeff" + "hy,1=欢迎光临\r\n").encode("utf-16-le")[:-1]


def _junk() -> bytes:
    return random.Random(7).randbytes(4096)


@pytest.mark.parametrize(
    "name, data, fmt, message",
    [
        ("cut.txt", _truncated_utf16(), "auto", "truncated UTF-16"),
        ("junk.bin", _junk(), "auto", "not readable"),
        ("empty.txt", b"", "auto", "is empty"),
        ("blank.txt", b"\xef\xbb\xbf \r\n\r\n", "auto", "is empty"),
        ("wrong.csv", "编码,短语,分组\nhy,欢迎,售前\n".encode(), "qianniu", "expected the header 快捷编码,快捷短语,快捷短语分组"),
        ("wrong.xlsx", _workbook([("code", "phrase", "group"), ("hy", "欢迎", "售前")]), "auto", "expected the header"),
        ("fake.xlsx", b"PK\x03\x04" + b"\x00" * 64, "auto", "not a readable XLSX workbook"),
        ("notes.txt", b"just some notes\nwith no entries\n", "auto", "cannot tell the format"),
        ("bad.yml", b"matches:\n  - trigger: ':a'\n    replace: [unclosed\n", "auto", "not valid YAML"),
        ("words.txt", "只有中文没有编码\n".encode(), "rime", "no Rime entries"),
    ],
)
def test_malformed_input_writes_nothing(tmp_path, capsys, name, data, fmt, message):
    source = tmp_path / name
    source.write_bytes(data)
    fresh = tmp_path / "fresh"
    code, out, err = run(capsys, "import", source, "--into", fresh, "--format", fmt)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("qr: ") and message in err and str(source) in err
    assert not fresh.exists()
    existing = write_library(tmp_path / "lib")
    before = files_of(existing)
    assert run(capsys, "import", source, "--into", existing, "--format", fmt)[0] == 2
    assert files_of(existing) == before


def test_missing_file_and_library_that_is_a_file(tmp_path, capsys):
    code, _, err = run(capsys, "import", tmp_path / "nope.txt", "--into", tmp_path / "lib")
    assert code == 2 and "cannot read" in err and err.count("\n") == 1
    source = tmp_path / "p.txt"
    source.write_text("hy,1=欢迎\n", encoding="utf-8")
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    code, _, err = run(capsys, "import", source, "--into", tmp_path / "afile")
    assert code == 2 and "is a file, not a library folder" in err


# --- dry run, conflicts, file names ----------------------------------------------------------


def test_dry_run_writes_nothing(tmp_path, capsys):
    source = tmp_path / "p.txt"
    source.write_text("hy,1=欢迎\nwl1,1=冲突的\n", encoding="utf-8")
    fresh = tmp_path / "fresh"
    code, out, _ = run(capsys, "import", source, "--into", fresh, "--dry-run")
    assert code == 0 and not fresh.exists()
    assert f"would write a new library {fresh}" in out and "(dry run: nothing written)" in out
    existing = write_library(tmp_path / "lib")
    before = files_of(existing)
    code, out, _ = run(capsys, "import", source, "--into", existing, "--dry-run", "--replace")
    assert code == 0 and files_of(existing) == before
    assert "would import 1, replaced 1" in out


def test_code_conflicts_with_and_without_replace(tmp_path, capsys):
    target = write_library(tmp_path / "lib")
    source = tmp_path / "custom_phrase.txt"
    source.write_text("新的物流话术\twl1\n新话术\tnew1\n", encoding="utf-8")
    logistics = (target / "logistics.toml").read_bytes()

    code, out, _ = run(capsys, "import", source, "--into", target)
    assert code == 0
    assert "/wl1 is already in the library (logistics.toml: 物流繁忙安抚); left alone" in out
    assert "imported 1, replaced 0, renamed 0, skipped 1" in out
    assert (target / "logistics.toml").read_bytes() == logistics
    assert body(imported(target), "new1") == "新话术"

    code, out, _ = run(capsys, "import", source, "--into", target, "--replace")
    assert code == 0
    # new1 is now in the library too: replaced in place, nothing new written
    assert "imported 0, replaced 2, renamed 0, skipped 0" in out
    found = imported(target)
    phrase, group = found["wl1"]
    assert group.path == Path("logistics.toml") and phrase.body == "新的物流话术"
    assert phrase.tags == ("安抚", "延迟") and phrase.note == "客户催物流时使用"  # the rest of the phrase kept
    assert body(found, "wl2").startswith("很抱歉") and len(found) == 5
    assert len(list(target.glob("custom*.toml"))) == 1  # the second run made no new file


def test_existing_file_is_never_clobbered(tmp_path, capsys):
    target = write_library(tmp_path / "lib")
    source = tmp_path / "p.txt"
    source.write_text("a1,1=一\n", encoding="utf-8")
    (target / "p.toml").write_text("this is not even TOML", encoding="utf-8")
    code, out, _ = run(capsys, "import", source, "--into", target)
    assert code == 0 and (target / "p.toml").read_text(encoding="utf-8") == "this is not even TOML"
    assert (target / "p-2.toml").exists()
    assert "library: p.toml" in out  # the broken file is reported, not rewritten


def test_chunked_dump_matches_canonical_form(tmp_path):
    text = "\n".join(f"c{number},1=第{number}条\n第二行" for number in range(2500))
    plan = build_plan(parse_sogou(text), tmp_path / "lib", default_group="g")
    group = plan.new_groups[0]
    assert dumps_in_chunks(group, lambda count: None) == dumps_group(group).encode("utf-8")


def test_progress_bar_is_plain_text():
    stream = io.StringIO()
    bar = TextBar("qr import: writing", stream)
    for done in (0, 1000, 1001, 2500):
        bar(done, 2500)
    bar.close()
    assert stream.getvalue().count("\r") == 3  # 40% twice is drawn once
    assert stream.getvalue().endswith("[" + "#" * 30 + "] 2,500/2,500\n")


def test_decode_variants():
    for data, label in [
        ("a,1=好\r\n".encode(), "UTF-8"),
        ("\ufeffa,1=好".encode("utf-8"), "UTF-8 with BOM"),
        ("\ufeffa,1=好".encode("utf-16-le"), "UTF-16LE with BOM"),
        ("\ufeffa,1=好".encode("utf-16-be"), "UTF-16BE with BOM"),
        ("a,1=好\r\n".encode("utf-16-le"), "UTF-16LE without BOM"),
        ("a,1=好\r\n".encode("utf-16-be"), "UTF-16BE without BOM"),
    ]:
        text, found = decode(data, "f")
        assert (text.rstrip("\n"), found.english) == ("a,1=好", label)
    with pytest.raises(TransferError, match="truncated UTF-16"):
        decode("\ufeffab".encode("utf-16-le") + b"\x00", "f")


# --- export ----------------------------------------------------------------------------------

TODAY_TOML = '''
name = "时间"
category = "售中"

[[phrases]]
code = "rq"
title = "今天日期"
body = "今天是{today}，{weekday}"

[[phrases]]
code = "ml"
title = "多行"
body = """
第一行,{customer}
第二行：{{备注}}"""

[[phrases]]
title = "没有编码"
body = "无编码话术"
'''


def export_library(tmp_path) -> Path:
    root = write_library(tmp_path / "lib")
    (root / "time.toml").write_text(textwrap.dedent(TODAY_TOML).lstrip(), encoding="utf-8")
    return root


def expected_texts(root: Path) -> dict[str, str]:
    """What the platform formats carry: templates rendered with the library's defaults only."""
    library = load_library(root).library
    return {phrase.code: render(phrase.body, defaults={"customer": "亲", "shop": "测试旗舰店"}).text for _, phrase in library.phrases()}


def test_export_qianniu_csv_and_round_trip(tmp_path, capsys):
    root = export_library(tmp_path)
    out = tmp_path / "out.csv"
    code, _, err = run(capsys, "--library", root, "export", "--format", "qianniu-csv", "--out", out)
    assert code == 0, err
    warning = next(line for line in err.splitlines() if "kept as written" in line)
    assert set(warning.split("no library default: ")[1].split(", ")) == {"{order_id} (1)", "{tracking_no} (1)", "{today} (1)", "{weekday} (2)"}
    data = out.read_bytes()
    assert data.startswith("\ufeff快捷编码,快捷短语,快捷短语分组\r\n".encode("utf-8"))
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    by_code = {row[0]: row for row in rows[1:]}
    assert by_code["ml"] == ["ml", "第一行&#44;亲&#13;第二行：{备注}", "时间"]  # the platform's escapes
    assert by_code["wl1"][1] == "亲爱的亲，最近物流繁忙，您的订单{order_id}会稍慢一些。"
    assert by_code[""][1] == "无编码话术"

    back = tmp_path / "back"
    assert run(capsys, "import", out, "--into", back)[0] == 0
    found = imported(back)
    for code_, text in expected_texts(root).items():
        assert found[code_][0].body == _as_template(text), code_
    assert found["wl1"][1].name == "物流" and found["en1"][1].name == "English"


def _as_template(text: str) -> str:
    """An exported text as the import reads it back: placeholders stay, other braces are literal."""
    from qr.transfer.templates import literal_template

    return literal_template(text)[0]


def test_export_qianniu_xlsx_round_trip(tmp_path, capsys):
    from openpyxl import load_workbook

    root = export_library(tmp_path)
    out = tmp_path / "out.xlsx"
    assert run(capsys, "--library", root, "export", "--format", "qianniu-xlsx", "--out", out)[0] == 0
    sheet = load_workbook(out, read_only=True).worksheets[0]
    rows = [tuple(cell if cell is not None else "" for cell in row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ("快捷编码", "快捷短语", "快捷短语分组")
    assert ("ml", "第一行,亲\n第二行：{备注}", "时间") in rows
    back = tmp_path / "back"
    assert run(capsys, "import", out, "--into", back)[0] == 0
    found = imported(back)
    for code_, text in expected_texts(root).items():
        assert found[code_][0].body == _as_template(text), code_


def test_export_sogou_utf16_crlf_and_round_trip(tmp_path, capsys):
    root = export_library(tmp_path)
    out = tmp_path / "PhraseEdit.txt"
    code, _, err = run(capsys, "--library", root, "export", "--format", "sogou", "--out", out)
    assert code == 0, err
    data = out.read_bytes()
    assert data.startswith(b"\xff\xfe")
    text = data[2:].decode("utf-16-le")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    lines = text.split("\r\n")
    assert "rq,1=#今天是$year-$month_mm-$day_dd，星期$weekday_cn" in lines
    assert lines[lines.index("ml,1=") + 1 : lines.index("ml,1=") + 3] == ["第一行,亲", "第二行：{备注}"]
    assert "1 phrases without a code left out" in err and "exported 6 phrases" in err

    back = tmp_path / "back"
    assert run(capsys, "import", out, "--into", back)[0] == 0
    found = imported(back)
    assert body(found, "rq") == "今天是{today}，{weekday}"  # time expressions come back as built-ins
    for code_, text in expected_texts(root).items():
        if code_ and code_ != "rq":
            assert found[code_][0].body == _as_template(text), code_


def test_export_csv_is_lossless(tmp_path, capsys):
    root = export_library(tmp_path)
    out = tmp_path / "all.csv"
    assert run(capsys, "--library", root, "export", "--format", "csv", "--out", out)[0] == 0
    header = out.read_bytes().decode("utf-8-sig").split("\r\n")[0]
    assert header == "code,title,group,category,body,tags,note,lang"
    back = tmp_path / "back"
    code, out_text, err = run(capsys, "import", out, "--into", back)
    assert code == 0, err
    original = load_library(root).library
    found = imported(back)
    for group, phrase in original.phrases():
        copy, copy_group = found[phrase.code]
        assert (copy.title, copy.body, copy.tags, copy.note, copy.lang) == (phrase.title, phrase.body, phrase.tags, phrase.note, phrase.lang)
        assert (copy_group.name, copy_group.category) == (group.name, group.category)


def test_export_filters_and_errors(tmp_path, capsys):
    root = export_library(tmp_path)
    out = tmp_path / "one.csv"
    code, _, err = run(capsys, "--library", root, "export", "--format", "qianniu-csv", "--out", out, "--group", "物流")
    assert code == 0 and "exported 3 phrases" in err
    code, _, err = run(capsys, "--library", root, "export", "--format", "qianniu-csv", "--out", out, "--category", "英文")
    assert code == 0 and "exported 1 phrases" in err
    code, _, err = run(capsys, "--library", root, "export", "--format", "qianniu-csv", "--out", tmp_path / "x.csv", "--group", "没有")
    assert code == 2 and err.count("\n") == 1 and "no group '没有'" in err and not (tmp_path / "x.csv").exists()
    code, _, err = run(capsys, "--library", root, "export", "--format", "sogou", "--out", tmp_path)
    assert code == 2 and "is a folder" in err


def test_group_of_short_phrases_is_written_as_tables(tmp_path, capsys):
    """tomli-w inlines an array of short tables; a 7,907-phrase group written that way took a
    minute to load (the loader looks for `[[phrases]]` headers), so the saver always writes tables."""
    source = tmp_path / "custom_phrase.txt"
    source.write_text("".join(f"字{number}\tz{number}\n" for number in range(50)), encoding="utf-8")
    target = tmp_path / "lib"
    assert run(capsys, "import", source, "--into", target)[0] == 0
    text = (target / "custom-phrase.toml").read_text(encoding="utf-8")
    assert text.count("[[phrases]]\n") == 50 and "phrases = [" not in text
    found = imported(target)
    assert found["z49"][0].line == text.split("\n").index('code = "z49"')  # headers line up with phrases


def test_import_and_export_stay_light(tmp_path):
    """No Textual, and openpyxl / PyYAML only for the formats that need them."""
    import subprocess
    import sys

    source = tmp_path / "custom_phrase.txt"
    source.write_text("好的\thd\n", encoding="utf-8")
    script = (
        "import sys\n"
        "from qr.cli import main\n"
        f"assert main(['import', {str(source)!r}, '--into', {str(tmp_path / 'lib')!r}]) == 0\n"
        f"assert main(['--library', {str(tmp_path / 'lib')!r}, 'export', '--format', 'sogou', '--out', {str(tmp_path / 'o.txt')!r}]) == 0\n"
        "print(sorted(m for m in ('textual', 'openpyxl', 'yaml') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_progress_bar_on_a_terminal_for_large_files(tmp_path, capsys, monkeypatch):
    import sys

    source = tmp_path / "big.txt"
    source.write_text("".join(f"c{number},1=第{number}条\n" for number in range(2500)), encoding="utf-8")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    code, out, err = run(capsys, "import", source, "--into", tmp_path / "lib")
    assert code == 0 and "imported 2500" in out
    assert err.startswith("\rqr import: writing [")  # redrawn in place on stderr, stdout untouched
    assert err.endswith(f"[{'#' * 30}] 2,500/2,500\n")
    small = tmp_path / "small.txt"
    small.write_text("s1,1=少\n", encoding="utf-8")
    assert run(capsys, "import", small, "--into", tmp_path / "lib2")[2] == ""  # small files: no bar


def test_qianniu_sheet_saved_as_excel_unicode_text(tmp_path, capsys):
    """Excel's "Unicode text": tab-separated, UTF-16LE with BOM, CRLF."""
    source = tmp_path / "快捷短语.txt"
    source.write_bytes("\ufeff快捷编码\t快捷短语\t快捷短语分组\r\nhy\t亲，欢迎光临\t售前\r\ncf\t\"记得付款,谢谢\"\t\r\n".encode("utf-16-le"))
    code, out, err = run(capsys, "import", source, "--into", tmp_path / "lib")
    assert code == 0, err
    assert "Qianniu sheet (CSV), UTF-16LE with BOM" in out
    found = imported(tmp_path / "lib")
    assert (body(found, "hy"), body(found, "cf"), found["cf"][1].name) == ("亲，欢迎光临", "记得付款,谢谢", "未分组")


def test_utf16_sheet_without_bom_is_detected(tmp_path, capsys):
    source = tmp_path / "sheet.csv"
    rows = "快捷编码,快捷短语,快捷短语分组\r\n" + "".join(f"c{n},亲，这是第{n}条很长很长的中文快捷短语，没有多少英文字母,售前\r\n" for n in range(20))
    source.write_bytes(rows.encode("utf-16-le"))
    code, out, err = run(capsys, "import", source, "--into", tmp_path / "lib")
    assert code == 0, err
    assert "UTF-16LE without BOM" in out and "imported 20" in out


def test_uncoded_rows_are_not_duplicated_on_a_second_import(tmp_path, capsys):
    source = tmp_path / "sheet.csv"
    source.write_text("快捷编码,快捷短语,快捷短语分组\n,没有编码的话术,售前\nhy,欢迎,售前\n", encoding="utf-8")
    target = tmp_path / "lib"
    assert "imported 2" in run(capsys, "import", source, "--into", target)[1]
    code, out, _ = run(capsys, "import", source, "--into", target)
    assert "imported 0, replaced 0, renamed 0, skipped 2" in out and "same text is already in the library" in out
    assert len(load_library(target).library.groups) == 1


def test_a_failed_write_puts_everything_back(tmp_path, capsys, monkeypatch):
    from qr.store.save import ConflictError
    from qr.transfer import plan as plan_module

    target = write_library(tmp_path / "lib")
    before = files_of(target)
    source = tmp_path / "p.txt"
    source.write_text("wl1,1=替换的\nnew1,1=新的\n", encoding="utf-8")

    def refuse(*args, **kwargs):
        raise ConflictError("logistics.toml changed on disk since it was loaded")

    monkeypatch.setattr(plan_module, "save_group", refuse)
    code, out, err = run(capsys, "import", source, "--into", target, "--replace")
    assert code == 2 and err.count("\n") == 1
    assert "logistics.toml changed on disk since it was loaded; nothing was imported" in err
    assert files_of(target) == before  # the new group file written before the failure is gone again


def test_format_is_told_from_content_not_name(tmp_path):
    from qr.transfer.detect import read_source, sniff_format

    cases = {
        "espanso.txt": "matches:\n  - trigger: ':hi'\n    replace: 'hello'\n",
        "sogou.yml.txt": "note,1=\nmatches: this line is part of the phrase\nok,1=好\n",
        "rime.dat": "# Rime table\n好的\thd\n",
        "sheet.txt": "快捷短语编码,快捷短语,快捷短语分组\nhy,欢迎,\n",
        "mine.txt": "code,title,body\nhy,欢迎,欢迎光临\n",
    }
    expected = {"espanso.txt": "espanso", "sogou.yml.txt": "sogou", "rime.dat": "rime", "sheet.txt": "qianniu", "mine.txt": "csv"}
    for name, text in cases.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        assert sniff_format(read_source(path)) == expected[name], name


def test_import_notices_follow_the_cli_language(tmp_path, capsys, monkeypatch):
    """Rime notices and the format name are catalogue messages: a Chinese CLI words them in Chinese."""
    source = tmp_path / "custom_phrase.txt"
    source.write_text("你好\tnh\nLinux linux\n你好\tnh\n只有一列\n", encoding="utf-8")
    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    code, out, _ = run(capsys, "import", source, "--into", tmp_path / "lib", "--dry-run")
    assert code == 0
    assert "Rime 自定义短语" in out
    assert "/linux：用了空格而不是制表符" in out
    assert "/nh：与前面的一行重复" in out
    assert "不是“短语<TAB>编码”格式" in out
    for english in ("a space instead of a tab", "duplicate of an earlier row", "not `phrase<TAB>code`", "Rime custom_phrase"):
        assert english not in out
