"""Search quality: recall@5 of buyer questions and of the classic title / pinyin / initials / typo
queries, on the bundled library and on a library built from the TalkQ replies (issue 16).

    python bench/evaluate.py                 # the table
    python bench/evaluate.py --misses        # also every question whose reply is not in the top 5
    python bench/evaluate.py --json out.json
    python bench/evaluate.py --without asks,notes,synonyms,relevance,word-pinyin   # what each part adds

The TalkQ library is built from `shared/testdata/cs_scripts/talkq_scripts_extracted.jsonl` (one
group per source file; title, body, and the scenario as the note); without that file its rows are
skipped. The buyer questions (`bench/eval/buyer_questions.toml`) were written for qr; tests hold
floors set from these figures (tests/test_search_quality.py).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
QUESTIONS = BENCH / "eval" / "buyer_questions.toml"
TALKQ = Path("cs_scripts") / "talkq_scripts_extracted.jsonl"
TOP = 5
_NUMBER = re.compile(r"^\d+\.\s*")


def testdata_dir() -> Path | None:
    """The shared test data: `$QR_TESTDATA`, else `shared/testdata` beside the checkout (or its parent,
    for a worktree one level deeper)."""
    candidates = [Path(os.environ["QR_TESTDATA"])] if os.environ.get("QR_TESTDATA") else []
    candidates += [ROOT.parent / "shared" / "testdata", ROOT.parent.parent / "shared" / "testdata"]
    return next((path for path in candidates if (path / TALKQ).is_file()), None)


def build_talkq_library(source: Path, target: Path) -> Path:
    """Write the TalkQ replies as a qr library: one group per source file, title (its number
    dropped; the scenario when it has none), body, and the scenario as the note."""
    import tomli_w

    groups: dict[str, list[dict]] = {}
    for line in source.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        title = _NUMBER.sub("", row.get("title") or "").strip() or row["scenario"]
        body = row["text"].replace("{", "{{").replace("}", "}}")
        groups.setdefault(row["file"], []).append({"title": title, "body": body, "note": row["scenario"]})
    target.mkdir(parents=True, exist_ok=True)
    for order, (file, phrases) in enumerate(groups.items()):
        name = file.removesuffix(".md").replace("/", "-")
        document = {"name": name, "order": order, "phrases": phrases}
        (target / f"{name}.toml").write_text(tomli_w.dumps(document, multiline_strings=True), encoding="utf-8")
    return target


@dataclass(frozen=True)
class Question:
    text: str
    wanted: frozenset[str]
    """TalkQ: reply titles or notes (scenarios); bundled: codes."""


def questions(library: str) -> list[Question]:
    """The buyer questions with a reply in `library` ("talkq" or "bundled")."""
    data = tomllib.loads(QUESTIONS.read_text(encoding="utf-8"))
    sets = data["sets"]
    out = []
    for text, talkq, bundled in data["questions"]:
        if library == "talkq":
            names: set[str] = set()
            for name in filter(None, talkq.split("|")):
                names.update(sets[name[1:]] if name.startswith("@") else [name])
            if names:
                out.append(Question(text, frozenset(names)))
        elif bundled:
            out.append(Question(text, frozenset(bundled.split())))
    return out


def classic_queries(libraries, pinyin) -> dict[str, list[Question]]:
    """The queries qr always served: each titled phrase's title, the full pinyin and the initials
    of a Chinese title, and an English title with one letter dropped from its longest word; the
    phrase itself must be in the top 5 (by code). Phrases with a validity window are left out
    (search hides them outside their dates)."""
    out: dict[str, list[Question]] = {"title": [], "pinyin": [], "initials": [], "typo": []}
    for library in libraries:
        for _, phrase in library.phrases():
            if not phrase.code or phrase.valid_from or phrase.valid_until:
                continue  # a windowed phrase is hidden outside its dates, by design
            want = frozenset([phrase.code])
            out["title"].append(Question(phrase.title, want))
            if pinyin.has_han(phrase.title):
                out["pinyin"].append(Question(pinyin.full(phrase.title), want))
                out["initials"].append(Question(pinyin.initials(phrase.title), want))
            else:
                words = re.findall(r"[A-Za-z]{5,}", phrase.title)
                if words:
                    word = max(words, key=len)
                    out["typo"].append(Question(phrase.title.replace(word, word[:2] + word[3:]).lower(), want))
    return out


def recall(search: Callable[[str], Iterable], items: list[Question], key: Callable) -> tuple[float, list[tuple[Question, list[str]]]]:
    """Share of items with a wanted reply in the top 5, and the misses with what came instead."""
    misses = []
    for item in items:
        got = [key(hit) for hit in search(item.text)]
        if not any(item.wanted & names for names in got):
            misses.append((item, [sorted(names)[0] for names in got]))
    return (1 - len(misses) / len(items) if items else 1.0), misses


def talkq_key(hit) -> set[str]:
    return {hit.phrase.title, hit.phrase.note}


def code_key(hit) -> set[str]:
    return {hit.phrase.code or ""}


class _Pinyin:
    """Title pinyin the way a user types it (word readings when pypinyin knows the word)."""

    @staticmethod
    def has_han(text: str) -> bool:
        return any("\u3400" <= char <= "\u9fff" for char in text)

    @staticmethod
    def full(text: str) -> str:
        from pypinyin import lazy_pinyin

        return "".join(lazy_pinyin(text, errors="ignore")).lower()

    @staticmethod
    def initials(text: str) -> str:
        from pypinyin import Style, lazy_pinyin

        return "".join(s[0] for s in lazy_pinyin(text, style=Style.FIRST_LETTER, errors="ignore") if s).lower()


PARTS = ("asks", "notes", "synonyms", "relevance", "word-pinyin")


def _without(library, parts: set[str]):
    """`library` with the asks and/or notes of every phrase taken out."""
    from qr.record import replace

    if not parts & {"asks", "notes"}:
        return library
    cleared = {"asks": (), "note": ""} if parts >= {"asks", "notes"} else {"asks": ()} if "asks" in parts else {"note": ""}
    groups = tuple(replace(group, phrases=tuple(replace(phrase, **cleared) for phrase in group.phrases)) for group in library.groups)
    return replace(library, groups=groups)


def _switch_off(parts: set[str]) -> None:
    """Turn parts of the search off in this process (for measuring what each adds)."""
    if "synonyms" in parts:
        import qr.index.synonyms as synonyms

        synonyms.bundled_groups = lambda: ()
    if "relevance" in parts:
        import qr.index.sentences as sentences

        sentences.add_relevance = lambda *args, **kwargs: None
    if "word-pinyin" in parts:
        from qr.index.pinyin import PinyinTables

        def plain(self, text):
            initials, full = self.initials_of(text), self.full_pinyin(text)
            return initials, full, initials, full

        PinyinTables.title_readings = plain


def evaluate(show_misses: bool = False, without: frozenset[str] = frozenset()) -> dict[str, dict[str, float]]:
    sys.path.insert(0, str(ROOT))
    from qr.index.phrase_index import PhraseIndex
    from qr.store import load_library

    _switch_off(set(without))
    bundled = _without(load_library(ROOT / "phrases").library, set(without))
    results: dict[str, dict[str, float]] = {}
    all_misses: dict[str, list] = {}

    def run(name: str, library, items: dict[str, list[Question]], key) -> None:
        index = PhraseIndex.from_libraries([library])
        row = {}
        for kind, qs in items.items():
            if not qs:
                continue
            value, misses = recall(lambda q: index.search(q, limit=TOP), qs, key)
            row[kind] = value
            row[kind + " n"] = len(qs)
            all_misses[f"{name} / {kind}"] = misses
        results[name] = row

    run("bundled", bundled, {"buyer": questions("bundled"), **classic_queries([bundled], _Pinyin)}, code_key)
    data = testdata_dir()
    if data is not None:
        with tempfile.TemporaryDirectory() as folder:
            talkq = _without(load_library(build_talkq_library(data / TALKQ, Path(folder))).library, set(without))
            run("talkq", talkq, {"buyer": questions("talkq")}, talkq_key)
    if show_misses:
        for name, misses in all_misses.items():
            for item, got in misses:
                print(f"MISS {name}: {item.text!r} wanted {sorted(item.wanted)[:3]} got {got}")
    return results


def print_table(results: dict[str, dict[str, float]]) -> None:
    kinds = ["buyer", "title", "pinyin", "initials", "typo"]
    print(f"\n## recall@{TOP}")
    print(f"{'library':<10}" + "".join(f"{kind:>16}" for kind in kinds))
    for name, row in results.items():
        cells = "".join(
            f"{row[kind]:>9.3f} (n={row[kind + ' n']:<3})" if kind in row else f"{'-':>16}" for kind in kinds
        )
        print(f"{name:<10}{cells}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--misses", action="store_true", help="print every miss")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    parser.add_argument("--without", default="", help=f"comma-separated parts to switch off: {', '.join(PARTS)}")
    args = parser.parse_args()
    without = frozenset(filter(None, args.without.split(",")))
    if without - set(PARTS):
        parser.error(f"unknown parts: {', '.join(sorted(without - set(PARTS)))}")
    results = evaluate(args.misses, without)
    print_table(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
