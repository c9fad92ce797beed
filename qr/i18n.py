"""The one catalogue of UI strings, in Chinese and English (phrase text itself is never translated).

Add a screen's strings to both dicts under a prefix of your own (`editor.`, `browser.`…);
`binding.<id>` keys translate the description of the Binding with that id. No Textual here.

    from qr.i18n import t
    t("launcher.copied", code="wl1")
"""

from __future__ import annotations

import os
from typing import Mapping

LANGUAGES = ("zh", "en")

EN: dict[str, str] = {
    # bindings (key: binding.<Binding id>)
    "binding.app.help": "Help",
    "binding.app.quit": "Quit",
    "binding.app.palette": "Commands",
    "binding.app.order_context": "Order info",
    "binding.app.next_customer": "Next customer",
    "binding.launcher.copy": "Copy",
    "binding.launcher.clear": "Clear",
    "binding.launcher.up": "Up",
    "binding.launcher.down": "Down",
    "binding.launcher.page_up": "Page up",
    "binding.launcher.page_down": "Page down",
    "binding.launcher.first": "First",
    "binding.launcher.last": "Last",
    "binding.launcher.hits": "Hit list",
    "binding.hits.query": "Back to query",
    "binding.form.submit": "OK",
    "binding.form.cancel": "Cancel",
    "binding.help.close": "Close",
    # command palette
    "palette.placeholder": "Search for commands…",
    "cmd.help": "Help: keys of this screen",
    "cmd.help.help": "List the key bindings of the current screen (F1)",
    "cmd.order_context": "Order info",
    "cmd.order_context.help": "Enter the current customer's name, order number… (kept in memory only)",
    "cmd.next_customer": "Next customer",
    "cmd.next_customer.help": "Forget the current order info",
    "cmd.clear_query": "Clear the query",
    "cmd.clear_query.help": "Empty the search box and list the library",
    "cmd.theme": "Change theme",
    "cmd.theme.help": "Pick another colour theme",
    "cmd.quit": "Quit",
    "cmd.quit.help": "Leave qr (ctrl+q)",
    # launcher
    "launcher.placeholder": "Type /code, words or pinyin initials…",
    "launcher.no_hits": "No phrase matches “{query}”.",
    "launcher.empty_library": "This library has no phrases yet.",
    "launcher.count": "{shown} of {total}",
    "launcher.count_all": "{total} phrases",
    "launcher.copied": "Copied /{code}",
    "launcher.copied_untitled": "Copied “{title}”",
    "launcher.via_system": "to the system clipboard",
    "launcher.via_terminal": "through the terminal (OSC 52)",
    "launcher.osc52_first": "No system clipboard here, so the reply went through the terminal (OSC 52). Install xclip (or xsel / wl-clipboard) for the system clipboard.",
    "launcher.copy_failed": "Could not copy: {error}",
    "launcher.template_error": "This phrase's template is broken and cannot be sent: {error}",
    "launcher.problems": "{count} file(s) could not be loaded and were skipped; run `qr lint`. First: {first}",
    "launcher.context_cleared": "Order info cleared: ready for the next customer",
    "preview.group": "Group",
    "preview.note": "Note",
    "preview.tags": "Tags",
    "preview.missing": "To fill in before sending: {names} (Enter asks for them)",
    "preview.ready": "Ready to send: Enter copies it",
    "preview.legend": "underlined = filled in",
    "preview.valid": "Valid {start} – {end}",
    "status.shop": "Shop",
    "status.library": "Library",
    "status.unset": "—",
    "status.context_keys": "ctrl+o order info · ctrl+n next customer",
    # forms
    "form.variables.title": "Fill in to send /{code}",
    "form.variables.title_untitled": "Fill in to send “{title}”",
    "form.context.title": "Order info (kept in memory only, never saved)",
    "form.hint": "Enter: OK · Tab: next field · Esc: cancel",
    "form.required": "Required",
    "form.invalid": "“{value}” does not have the expected form ({pattern})",
    "form.no_vars": "This library declares no variables ([vars] in _library.toml).",
    # help
    "help.title": "Keys: {screen}",
    "help.key": "Key",
    "help.action": "Does",
    "help.id": "Binding id",
    "help.footer": "Esc or F1 closes · ctrl+p opens the command palette",
    "screen.launcher": "Launcher",
    "screen.variables": "Fill in variables",
    "screen.context": "Order info",
    "screen.help": "Help",
}

ZH: dict[str, str] = {
    "binding.app.help": "帮助",
    "binding.app.quit": "退出",
    "binding.app.palette": "命令",
    "binding.app.order_context": "订单信息",
    "binding.app.next_customer": "下一位客户",
    "binding.launcher.copy": "复制",
    "binding.launcher.clear": "清空",
    "binding.launcher.up": "上一条",
    "binding.launcher.down": "下一条",
    "binding.launcher.page_up": "上一页",
    "binding.launcher.page_down": "下一页",
    "binding.launcher.first": "第一条",
    "binding.launcher.last": "最后一条",
    "binding.launcher.hits": "切到列表",
    "binding.hits.query": "回到搜索框",
    "binding.form.submit": "确定",
    "binding.form.cancel": "取消",
    "binding.help.close": "关闭",
    "palette.placeholder": "搜索命令…",
    "cmd.help": "帮助：本界面的按键",
    "cmd.help.help": "列出当前界面的快捷键 (F1)",
    "cmd.order_context": "订单信息",
    "cmd.order_context.help": "填写当前客户的称呼、订单号等（只保存在内存中）",
    "cmd.next_customer": "下一位客户",
    "cmd.next_customer.help": "清空当前订单信息",
    "cmd.clear_query": "清空搜索",
    "cmd.clear_query.help": "清空搜索框，列出全部话术",
    "cmd.theme": "更换主题",
    "cmd.theme.help": "选择其他配色",
    "cmd.quit": "退出",
    "cmd.quit.help": "退出 qr (ctrl+q)",
    "launcher.placeholder": "输入 /编码、关键词或拼音首字母…",
    "launcher.no_hits": "没有匹配“{query}”的话术。",
    "launcher.empty_library": "话术库里还没有话术。",
    "launcher.count": "{shown} / {total}",
    "launcher.count_all": "共 {total} 条",
    "launcher.copied": "已复制 /{code}",
    "launcher.copied_untitled": "已复制“{title}”",
    "launcher.via_system": "到系统剪贴板",
    "launcher.via_terminal": "（经终端 OSC 52）",
    "launcher.osc52_first": "没有可用的系统剪贴板，已通过终端 (OSC 52) 复制。安装 xclip（或 xsel / wl-clipboard）即可使用系统剪贴板。",
    "launcher.copy_failed": "复制失败：{error}",
    "launcher.template_error": "这条话术的模板有错误，无法发送：{error}",
    "launcher.problems": "有 {count} 个文件无法加载，已跳过；请运行 `qr lint`。第一个：{first}",
    "launcher.context_cleared": "订单信息已清空，可以接待下一位客户",
    "preview.group": "分组",
    "preview.note": "备注",
    "preview.tags": "标签",
    "preview.missing": "发送前需填写：{names}（按 Enter 填写）",
    "preview.ready": "可以发送：按 Enter 复制",
    "preview.legend": "下划线 = 已填入的值",
    "preview.valid": "有效期 {start} – {end}",
    "status.shop": "店铺",
    "status.library": "话术库",
    "status.unset": "—",
    "status.context_keys": "ctrl+o 订单信息 · ctrl+n 下一位客户",
    "form.variables.title": "填写后发送 /{code}",
    "form.variables.title_untitled": "填写后发送“{title}”",
    "form.context.title": "订单信息（只在内存中，不会保存）",
    "form.hint": "Enter 确定 · Tab 下一项 · Esc 取消",
    "form.required": "必填",
    "form.invalid": "“{value}”格式不对（应符合 {pattern}）",
    "form.no_vars": "话术库没有声明变量（_library.toml 中的 [vars]）。",
    "help.title": "按键：{screen}",
    "help.key": "按键",
    "help.action": "作用",
    "help.id": "绑定 id",
    "help.footer": "Esc 或 F1 关闭 · ctrl+p 打开命令面板",
    "screen.launcher": "话术搜索",
    "screen.variables": "填写变量",
    "screen.context": "订单信息",
    "screen.help": "帮助",
}

CATALOGUE: dict[str, dict[str, str]] = {"en": EN, "zh": ZH}

_current = "en"


def detect_language(environ: Mapping[str, str] | None = None) -> str:
    """The UI language the locale asks for: LC_ALL, then LC_MESSAGES, then LANG (zh* -> zh, else en)."""
    environ = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def choose_language(configured: str | None, environ: Mapping[str, str] | None = None) -> str:
    """`ui_lang` from the config (or the caller) wins; otherwise the locale decides."""
    if configured:
        lang = configured.strip().lower().replace("_", "-").split("-")[0]
        if lang in CATALOGUE:
            return lang
    return detect_language(environ)


def set_language(lang: str) -> None:
    global _current
    _current = lang if lang in CATALOGUE else "en"


def language() -> str:
    return _current


def has(key: str) -> bool:
    return key in EN or key in ZH


def t(key: str, **values: object) -> str:
    """The string for `key` in the current language (else English, else the key), formatted with `values`."""
    text = CATALOGUE[_current].get(key) or EN.get(key) or key
    return text.format(**values) if values else text
