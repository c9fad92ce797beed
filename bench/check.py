"""How long `qr check` takes on a 2,000-character draft: its own work, not Python's start-up.

    python bench/check.py [--real-list]

Times `check_text(draft, rules)` (normalising, all word rules, privacy, control characters) on a
generated 2,000-character service draft with a few findings in it: the first call (the rules
compiled, OpenCC's table read) and the median of 200 warm calls, as the draft-check box calls it
on every keystroke. With --real-list the 194-term ad-law list of ../shared/testdata is loaded too.
Prints a table, then JSON. The target is under 50 ms.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

REAL_LIST = HERE.parent.parent / "shared" / "testdata" / "forbidden" / "es3344520_advertising-limit-words_违禁词.txt"
SENTENCES = [
    "亲，您好，这边帮您查一下物流信息，请稍等。",
    "最近物流繁忙，发货会稍慢一点，给您带来不便非常抱歉。",
    "这款最大码是XXL，建议您对照详情页的尺码表选择。",
    "冷藏后口感最佳，最佳食用期是开封后三天内。",
    "如果收到有任何问题，请随时在这里联系我们，我们会第一时间处理。",
    "满意的话给个好评哦，谢谢亲的支持！",
    "Thanks for your order, it should arrive in two to three days.",
]
FINDINGS = ["加我微信", "好评返现", "全网最低价", "保证明天到"]


def draft(length: int = 2000) -> str:
    parts: list[str] = []
    index = 0
    while sum(map(len, parts)) < length:
        parts.append(SENTENCES[index % len(SENTENCES)])
        if index % 9 == 4:
            parts.append(FINDINGS[(index // 9) % len(FINDINGS)] + "。")
        index += 1
    return "".join(parts)[:length]


def main() -> None:
    from qr.store.lint import check_text
    from qr.store.models import RuleConfig
    from qr.store.word_rules import compile_rules

    real = "--real-list" in sys.argv and REAL_LIST.is_file()
    text = draft()
    started = time.perf_counter()
    rules = compile_rules(RuleConfig(files=(str(REAL_LIST),) if real else ()), Path("."))
    found = check_text(text, rules)
    first = time.perf_counter() - started
    times = []
    for _ in range(200):
        started = time.perf_counter()
        check_text(text, rules)
        times.append(time.perf_counter() - started)
    result = {
        "characters": len(text),
        "real_list": real,
        "findings": len(found),
        "first_call_ms": round(first * 1000, 2),
        "warm_median_ms": round(statistics.median(times) * 1000, 3),
        "warm_p95_ms": round(sorted(times)[int(len(times) * 0.95)] * 1000, 3),
    }
    print(f"{'draft':>8} {'findings':>9} {'first (compile+check)':>22} {'warm median':>12} {'warm p95':>9}")
    print(f"{len(text):>8} {len(found):>9} {result['first_call_ms']:>19.1f} ms {result['warm_median_ms']:>9.2f} ms {result['warm_p95_ms']:>6.2f} ms")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
