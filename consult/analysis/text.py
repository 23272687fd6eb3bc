"""Comment text made comparable: one normal form, and words for English and Chinese.

Comments are stored as Markdown source. Two comments that differ only in
case, full-width letters, punctuation, emphasis or a pasted link should look
the same to the campaign finder, so `normalise` removes all of that.
`tokens` then gives the words the theme finder counts: Latin words (English
stop words dropped) and, for runs of Chinese characters, the words jieba
finds (Chinese stop words dropped). A comment may mix both.

No Django here: the summary calls this on plain lists.
"""

from __future__ import annotations

import functools
import html
import logging
import re
import string
import unicodedata

import jieba
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

# jieba logs its dictionary load at DEBUG through a stderr handler of its own;
# the summary runs in a worker whose log should not carry that.
jieba.setLogLevel(logging.WARNING)


def prepare() -> None:
    """Load jieba's dictionary now rather than at the first Chinese text."""
    jieba.initialize()


# Han ideographs: the unified block, extension A, compatibility ideographs and
# the supplementary planes (extensions B and later).
CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"

_MD_LINK = re.compile(r"!?\[([^\]\n]*)\]\([^)\n]*\)")  # [text](url) and ![alt](src) keep the text
_MD_REFERENCE = re.compile(r"^ {0,3}\[[^\]\n]+\]:[^\n]*$", re.MULTILINE)  # [label]: url "title"
_URL = re.compile(r"(?:https?://|ftp://|mailto:|www\.)\S+|\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.ASCII)
_HTML_TAG = re.compile(r"</?[a-zA-Z][^>\n]*>")
# Everything that is neither a letter, a digit nor a space; `_` is a word
# character to the regex engine but Markdown emphasis to us.
_NOT_WORD = re.compile(r"[^\w\s]|_")
# ASCII punctuation and control characters to spaces, capitals to small letters.
_ASCII_NOT_WORD = string.punctuation.encode() + bytes(range(32)) + b"\x7f"
_ASCII_TABLE = bytes.maketrans(
    _ASCII_NOT_WORD + string.ascii_uppercase.encode(),
    b" " * len(_ASCII_NOT_WORD) + string.ascii_lowercase.encode(),
)
_HAN = re.compile(f"[{CJK}]")
_HAN_RUN = re.compile(f"([{CJK}]+)")

ENGLISH_STOP = frozenset(ENGLISH_STOP_WORDS) | {
    "don", "doesn", "didn", "isn", "aren", "wasn", "won", "wouldn", "shouldn", "couldn",
    "ve", "ll", "re", "just", "really", "also", "like", "think", "im", "dont",
}  # fmt: skip

# Function words, pronouns, particles, and the verbs and adjectives of giving
# an opinion ("please consider", "I worry", "important"): they carry no topic,
# and single characters among them ('的', '了') would otherwise lead every theme.
CHINESE_STOP = frozenset(
    """
    的 了 着 过 地 得 之 是 在 有 和 与 及 或 而 并 也 都 又 还 就 才 只 很 太 更 最 再
    我 你 您 他 她 它 我们 你们 他们 她们 它们 咱们 大家 自己 人家 别人
    这 那 这个 那个 这些 那些 这样 那样 这里 那里 这种 那种 此 其 其中 其他 其它 各 每 某
    个 些 一 一个 一些 一下 一点 一样 一起 一直 一定 不 没 没有 无 非 别 未
    吗 呢 吧 啊 呀 哦 嘛 啦 哈 嗯 么 的话 而且 但是 但 可是 然而 因为 所以 因此 如果 虽然
    虽 即使 就是 还是 或者 以及 并且 而是 不是 只是 只有 只要 除了 对于 关于 由于 为了
    为 对 把 被 让 给 向 从 到 于 以 按 跟 比 将 由 把 当 自 从而 通过 根据
    会 能 能够 可以 可能 应该 应当 需要 要 想 希望 觉得 认为 感觉 知道 看 说 做 去 来
    已经 正在 曾经 现在 目前 还有 非常 十分 比较 特别 真的 确实 实在 其实 当然 已 将要
    什么 怎么 怎样 如何 为什么 哪 哪里 哪些 谁 多少 几 多 少 好 大 小 上 下 中 里 内 外
    前 后 时 时候 时间 的时候 方面 问题 情况 事情 东西 地方 方式 等 等等 之后 之前 以后
    以前 以上 以下 另外 此外 总之 然后 于是 即 及其 其实 不过 不仅 只 也是 都是 就是
    请 一下 得到 感到 考虑 考虑一下 关注 关心 担心 在意 重视 重要 紧迫 同意 看法 意见
    """.split()  # noqa: SIM905 - a word list reads better as prose
)


def normalise(text: str) -> str:
    """One comparable form: NFKC, casefolded, no Markdown, links or punctuation, single spaces."""
    text = text or ""
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    # Each pattern only where it can match: the campaign finder normalises
    # 100,000 comments, and the URL pattern alone cost 20 µs a comment.
    if "]:" in text:
        text = _MD_REFERENCE.sub(" ", text)
    if "](" in text:
        text = _MD_LINK.sub(r" \1 ", text)
    if "://" in text or "www." in text or "@" in text or "mailto:" in text:
        text = _URL.sub(" ", text)
    if "<" in text:
        text = _HTML_TAG.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    if text.isascii():
        # Bytes translate in one table lookup a character; casefold is lower here.
        return " ".join(text.encode("ascii").translate(_ASCII_TABLE).decode("ascii").split())
    return " ".join(_NOT_WORD.sub(" ", text.casefold()).split())


def tokens(text: str) -> list[str]:
    """Words worth counting: Latin words and jieba's words for Chinese, stop words dropped.

    Single Latin letters and bare numbers are dropped too: in a theme they
    are noise ("a", "12"), and a route number reads better in its comment.
    """
    return normal_tokens(normalise(text))


def normal_tokens(normal: str) -> list[str]:
    """tokens() of a text that is normalised already."""
    if not _HAN.search(normal):
        return _latin_words(normal.split())
    words: list[str] = []
    # split() with a capturing group alternates: other text, Han run, other text, ...
    for place, part in enumerate(_HAN_RUN.split(normal)):
        if place % 2:
            words.extend(_chinese_words(part))
        else:
            words.extend(_latin_words(part.split()))
    return words


def _latin_words(words: list[str]) -> list[str]:
    return [w for w in words if len(w) > 1 and w not in ENGLISH_STOP and not w.isdigit()]


# jieba builds a graph of every character's possible words in Python, about
# 440,000 characters a second here; the same phrase ("我支持这个方案") comes
# back often enough across comments to keep its words.
@functools.lru_cache(maxsize=65536)
def _chinese_words(run: str) -> tuple[str, ...]:
    return tuple(w for w in jieba.lcut(run) if w not in CHINESE_STOP)
