"""Normalisation of Indonesian news and social-media text.

One :class:`Normalizer` is stored with every model and applied identically at training
and prediction time. Steps, in order:

1. Unicode NFKC, zero-width characters removed, length capped at ``max_chars``.
2. Links → ``url`` token, @mentions → ``@user`` token, ``#HashTag`` → ``hash tag`` words.
3. Emoji and pictographs removed (kept out of the vocabulary; they carry little topic signal).
4. Lower-casing; a letter repeated three or more times squeezed to one (``parahhh`` → ``parah``);
   Indonesian reduplication written with a 2 expanded (``orang2`` → ``orang-orang``).
5. Slang and abbreviations mapped to standard forms with the project's own table
   (:data:`netral_nlp.text._tables.SLANG`), and white space collapsed.

Every step is linear in the text length, so a 1 MB string is handled in bounded time.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, fields
from typing import Any, Mapping

from ._tables import SLANG

_URL = re.compile(r"(?:https?://|www\.)\S+|\b(?:bit\.ly|t\.co|s\.id|wa\.me|tinyurl\.com)/\S*", re.I)
_MENTION = re.compile(r"(?<![\w@])@\w{1,30}")
_HASHTAG = re.compile(r"#(\w+)")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])")
_ZERO_WIDTH = re.compile("[\u200b-\u200f\u2060\ufeff]")
_EMOJI = re.compile(
    "[\U0001F000-\U0001FAFF\U00002600-\U000027BF\U0001F1E6-\U0001F1FF\U00002B00-\U00002BFF"
    "\uFE0F\u20E3\u2190-\u21FF\u2300-\u23FF\u25A0-\u25FF]+"
)
_REPEAT = re.compile(r"([a-z])\1{2,}")
_REDUP = re.compile(r"\b([a-z]{2,})2\b")
_TOKEN = re.compile(r"[a-z0-9@]+(?:[-'][a-z0-9]+)*|[^\sa-z0-9@]")


@dataclass(frozen=True)
class Normalizer:
    """Configurable, deterministic text normaliser (callable: ``Normalizer()(text) -> str``).

    Args:
        lowercase: lower-case the text.
        replace_urls: replace links with the token ``url``.
        replace_mentions: replace @handles with the token ``@user``.
        split_hashtags: turn ``#TolakPolitikUang`` into ``tolak politik uang``.
        remove_emoji: drop emoji and pictographs.
        squeeze_repeats: squeeze letters repeated 3+ times to one.
        expand_slang: map slang and abbreviations to standard forms.
        max_chars: cap on input length (characters) before any other step; 0 = no cap.
    """

    lowercase: bool = True
    replace_urls: bool = True
    replace_mentions: bool = True
    split_hashtags: bool = True
    remove_emoji: bool = True
    squeeze_repeats: bool = True
    expand_slang: bool = True
    max_chars: int = 50_000

    def __call__(self, text: str) -> str:
        if self.max_chars and len(text) > self.max_chars:
            text = text[: self.max_chars]
        # Each step runs only when its trigger characters occur: most posts are short and
        # plain, and this function sits on the hot path of bulk labelling.
        ascii_only = text.isascii()
        if not ascii_only:
            text = _ZERO_WIDTH.sub("", unicodedata.normalize("NFKC", text))
        if self.replace_urls and ("/" in text or "www." in text):
            text = _URL.sub(" url ", text)
        if self.replace_mentions and "@" in text:
            text = _MENTION.sub(" @user ", text)
        if self.split_hashtags and "#" in text:
            text = _HASHTAG.sub(lambda m: " " + _CAMEL.sub(" ", m.group(1)) + " ", text)
        if self.remove_emoji and not ascii_only:
            text = _EMOJI.sub(" ", text)
        if self.lowercase:
            text = text.lower()
            if self.squeeze_repeats:
                text = _REPEAT.sub(r"\1", text)
            if "2" in text:
                text = _REDUP.sub(r"\1-\1", text)
            if self.expand_slang:
                get = SLANG.get
                return " ".join(filter(None, [get(tok, tok) for tok in _TOKEN.findall(text)]))
        return " ".join(text.split())

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> "Normalizer":
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in (data or {}).items() if k in known})


def normalize(text: str) -> str:
    """Normalise one text with the default :class:`Normalizer` settings."""
    return Normalizer()(text)


__all__ = ["Normalizer", "normalize"]
