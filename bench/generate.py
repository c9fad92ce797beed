"""Generate realistic phrase libraries (Chinese and English, groups of a few hundred, variables).

    python bench/generate.py 10000 /tmp/lib10k

Deterministic for a given size and seed, so benchmarks and tests see the same library.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import tomli_w

TOPICS = [
    ("物流", "wl", "售中", ["物流繁忙", "快递延迟", "包裹破损", "包裹丢失", "催签收", "物流停滞", "驿站取件", "地址错误", "偏远地区", "拒收退回"]),
    ("售后", "sh", "售后", ["退款进度", "退货流程", "换货说明", "质量问题", "少件漏发", "七天无理由", "退款到账", "补发处理", "维修说明", "运费险"]),
    ("售前", "sq", "售前", ["进店欢迎", "尺码建议", "库存咨询", "正品保障", "发票开具", "发货时效", "赠品咨询", "材质说明", "优惠活动", "议价婉拒"]),
    ("催付", "cf", "催付", ["温和催付", "优惠券到期", "库存保留", "付款问题", "早付早发", "活动截止", "拍下未付", "合并付款", "定金尾款", "支付方式"]),
    ("评价", "pj", "评价", ["邀请评价", "感谢好评", "差评回访", "追评邀请", "晒图返现说明", "中评沟通", "评价解释", "售后回访", "满意度调查", "复购邀请"]),
    ("直播", "zb", "直播", ["直播预告", "直播间下单", "福袋说明", "直播优惠券", "锁单说明", "直播发货", "主播推荐", "讲解回放", "库存紧张", "直播售后"]),
]
EN_TOPICS = [
    ("English", "en", "英文", ["Shipping delay apology", "Tracking number", "Refund timeline", "Return steps", "Size advice", "Payment reminder", "Thanks for review", "Damaged parcel", "Lost parcel", "Exchange request"]),
]
ZH_SENTENCES = [
    "亲爱的{customer|亲}，非常抱歉给您带来不便。",
    "您的订单{order_id}我们已经在跟进中，",
    "快递单号是{tracking_no}，可以在{courier}官网查询。",
    "退款预计{refund_days}个工作日原路退回，",
    "请您耐心等待，有消息会第一时间告知您。",
    "如有其他问题随时联系我们哦～",
    "这款{product}目前有现货，下单后48小时内发出。",
    "麻烦您提供一下商品照片，我们马上为您核实处理。",
    "感谢您对本店的支持，祝您生活愉快！",
    "活动期间领取{coupon}可以享受优惠。",
]
EN_SENTENCES = [
    "Hi {customer|there}, thank you for reaching out.",
    "Your order {order_id} is being processed,",
    "the tracking number is {tracking_no}.",
    "We are sorry for the delay and are following up with the courier.",
    "The refund should arrive within {refund_days} business days.",
    "Please send us a photo of the item so we can help.",
    "Have a great day!",
]
VARS = {
    "customer": {"label": "客户称呼", "default": "亲"},
    "order_id": {"label": "订单号", "pattern": r"^\d{6,24}$"},
    "tracking_no": {"label": "快递单号"},
    "courier": {"label": "快递公司", "default": "快递"},
    "product": {"label": "商品名称", "default": "宝贝"},
    "refund_days": {"label": "退款到账天数", "default": "1-3"},
    "coupon": {"label": "优惠券", "default": "店铺优惠券"},
}


def generate(size: int, root: Path, *, seed: int = 7, group_size: int | None = None) -> Path:
    """Write a library of `size` phrases to `root` (created) and return it.

    Groups hold 300 phrases, fewer in small libraries so that every topic (English included) is there.
    """
    rng = random.Random(seed)
    topic_count = len(TOPICS) + len(EN_TOPICS)
    group_size = group_size or max(1, min(300, -(-size // topic_count)))
    root.mkdir(parents=True, exist_ok=True)
    (root / "_library.toml").write_text(
        tomli_w.dumps({"name": f"bench {size}", "shop": "示例旗舰店", "vars": VARS}), encoding="utf-8"
    )
    topics = TOPICS + EN_TOPICS
    made = 0
    number = 0
    while made < size:
        name, prefix, category, titles = topics[number % len(topics)]
        english = prefix == "en"
        count = min(group_size, size - made)
        phrases = []
        for i in range(count):
            title = rng.choice(titles)
            title = f"{title} {i + 1}" if english else f"{title}{i + 1}"
            sentences = EN_SENTENCES if english else ZH_SENTENCES
            body = " ".join(rng.sample(sentences, rng.randint(2, 4))) if english else "".join(rng.sample(sentences, rng.randint(2, 4)))
            phrase = {
                "code": f"{prefix}{number}x{i + 1}" if number >= len(topics) else f"{prefix}{i + 1}",
                "title": title,
                "body": body,
                "tags": rng.sample(titles, 2),
                "note": "Use when the buyer asks about this." if english else "客户询问相关问题时使用",
            }
            if english:
                phrase["lang"] = "en"
            phrases.append(phrase)
        group = {"name": f"{name}{number}", "category": category, "order": number, "phrases": phrases}
        folder = root / category
        folder.mkdir(exist_ok=True)
        (folder / f"g{number:04d}.toml").write_text(tomli_w.dumps(group, multiline_strings=True), encoding="utf-8")
        made += count
        number += 1
    return root


if __name__ == "__main__":
    generate(int(sys.argv[1]), Path(sys.argv[2]))
