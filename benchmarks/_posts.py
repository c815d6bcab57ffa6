"""Synthetic but realistic social-media dumps for the batch-labelling benchmarks.

Posts are assembled procedurally from sentences of the library's own corpus
(``netral_nlp.iter_corpus``) plus the noise of real scraped dumps: @mentions, hashtags,
t.co links, emoji, letter elongation, slang spellings, ALL-CAPS shouting, cut-off
comments, multi-paragraph Facebook posts. Duplicates come at a realistic rate: retweets
("RT @user: ..." of an earlier post, popular posts more often) and copy-paste chains
(the same text posted by other accounts). Records look like an X/Twitter API dump
(id, created_at, user object, metrics). Deterministic for a given seed.

    python benchmarks/_posts.py 100000 posts.jsonl     # write a dump
"""

from __future__ import annotations

import json
import random
import re
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

RETWEET_RATE = 0.20
COPY_PASTE_RATE = 0.05
_EMOJI = ["😂", "🙏", "🔥", "😡", "🤣", "👍", "😭", "🇮🇩", "💯", "🙄", "😱", "✌️", "🤲", "👀", "😤"]
_PLATFORMS = [("twitter", 0.6), ("facebook", 0.15), ("tiktok", 0.15), ("youtube", 0.1)]
_HANDLE_PARTS = ["rakyat", "warga", "suara", "info", "jaga", "bela", "relawan", "pemilu", "kawal", "bung",
                 "mbak", "mas", "kang", "netizen", "update", "berita", "politik", "aktivis", "desa", "kota"]


def _sentences() -> tuple[list[str], list[str]]:
    from netral_nlp import iter_corpus

    social, news = [], []
    for rec in iter_corpus():
        parts = [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", rec["text"]) if len(s.strip()) > 15]
        (news if rec.get("register") == "news" else social).extend(parts)
    return social, news


class PostFactory:
    """Generates post records; keeps a window of recent posts to retweet and copy."""

    def __init__(self, seed: int = 0) -> None:
        from netral_nlp.text._tables import SLANG

        self.rng = random.Random(seed)
        self.social, self.news = _sentences()
        self.slang: dict[str, list[str]] = {}
        for slang, standard in SLANG.items():
            if " " not in standard:
                self.slang.setdefault(standard, []).append(slang)
        words = sorted({w for s in self.social[:400] for w in re.findall(r"[A-Za-z]{4,}", s)})
        self.hashtags = ["Pemilu2024", "Pilkada2024", "TolakPolitikUang", "KawalPemilu", "BawasluRI",
                         "ASNNetral", "StopHoaks", "JagaTPS"] + [
            words[i].capitalize() + words[j].capitalize()
            for i, j in ((self.rng.randrange(len(words)), self.rng.randrange(len(words))) for _ in range(60))
        ]
        self.recent: list[str] = []
        self.time = datetime(2024, 2, 1, tzinfo=timezone.utc)

    def _handle(self) -> str:
        r = self.rng
        return r.choice(_HANDLE_PARTS) + r.choice(["_", "", "."]) + r.choice(_HANDLE_PARTS) + str(r.randint(1, 9999))

    def _noisy(self, text: str) -> str:
        r = self.rng
        words = text.split()
        out = []
        for w in words:
            low = w.lower().strip(".,!?")
            if low in self.slang and r.random() < 0.5:
                w = r.choice(self.slang[low])
            elif len(w) > 3 and w.isalpha() and r.random() < 0.02:
                w = w + w[-1] * r.randint(2, 5)  # elongation: parahhh
            elif len(w) > 4 and r.random() < 0.01:
                k = r.randrange(len(w))
                w = w[:k] + w[k + 1:]  # typo
            out.append(w)
        text = " ".join(out)
        if r.random() < 0.05:
            text = text.upper()
        return text

    def _decorate(self, text: str) -> str:
        r = self.rng
        if r.random() < 0.3:
            text = f"@{self._handle()} " + text
        if r.random() < 0.35:
            text += " " + " ".join("#" + r.choice(self.hashtags) for _ in range(r.randint(1, 3)))
        if r.random() < 0.25:
            text += " https://t.co/" + "".join(r.choice("abcdefghijkmnpqrstuvwxyzABCDEFGH0123456789") for _ in range(10))
        if r.random() < 0.3:
            text += " " + "".join(r.choice(_EMOJI) for _ in range(r.randint(1, 3)))
        return text

    def _original(self, platform: str) -> str:
        r = self.rng
        if platform == "facebook":
            n = r.randint(2, 6)
            pool = self.news if r.random() < 0.4 else self.social
            return "\n\n".join(self._noisy(r.choice(pool)) for _ in range(n))
        if platform in ("tiktok", "youtube"):
            words = r.choice(self.social).split()
            return self._noisy(" ".join(words[: r.randint(min(3, len(words)), min(len(words), 18))]))
        n = r.choice([1, 1, 1, 2, 2, 3])
        pool = self.news if r.random() < 0.15 else self.social
        text = self._noisy(" ".join(r.choice(pool) for _ in range(n)))
        return text[:260]

    def post(self, i: int) -> dict[str, Any]:
        r = self.rng
        platform = r.choices([p for p, _ in _PLATFORMS], [w for _, w in _PLATFORMS])[0]
        u = r.random()
        is_rt = False
        if self.recent and u < RETWEET_RATE:
            author, src = self.recent[min(int(r.paretovariate(1.2)) - 1, len(self.recent) - 1)]
            text, is_rt = f"RT @{author}: {src}", True
        elif self.recent and u < RETWEET_RATE + COPY_PASTE_RATE:
            text = self.recent[r.randrange(min(len(self.recent), 500))][1]
        else:
            text = self._decorate(self._original(platform))
            self.recent.insert(0, (self._handle(), text))
            del self.recent[2000:]
        self.time += timedelta(seconds=r.expovariate(1 / 3))
        return {
            "id": str(1_752_000_000_000_000_000 + i * 7919 + r.randrange(7919)),
            "created_at": self.time.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "platform": platform,
            "lang": "in",
            "user": {"id": str(r.randrange(10**9, 10**10)), "screen_name": self._handle(),
                     "followers_count": int(r.paretovariate(1.1) * 50), "verified": r.random() < 0.02},
            "text": text,
            "is_retweet": is_rt,
            "metrics": {"retweet_count": int(r.paretovariate(1.5)) - 1, "like_count": int(r.paretovariate(1.3)) - 1,
                        "reply_count": int(r.paretovariate(2.0)) - 1},
        }


def iter_posts(n: int, seed: int = 0) -> Iterator[dict[str, Any]]:
    factory = PostFactory(seed)
    for i in range(n):
        yield factory.post(i)


def write_jsonl(path: str | Path, n: int, seed: int = 0) -> Path:
    """Write ``n`` posts as JSON lines (gzip/zstd are not applied; see the benchmarks)."""
    path = Path(path)
    with open(path, "w", encoding="utf-8") as fh:
        for rec in iter_posts(n, seed):
            fh.write(json.dumps(rec, ensure_ascii=False))
            fh.write("\n")
    return path


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    target = sys.argv[2] if len(sys.argv) > 2 else "posts.jsonl"
    print(write_jsonl(target, count))
