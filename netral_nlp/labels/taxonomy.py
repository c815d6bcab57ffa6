"""Topics and label sets.

The default election taxonomy lives here and nowhere else. A :class:`Taxonomy` is an
ordered tuple of :class:`Topic` objects; its order fixes the columns of every score
matrix the library returns. Users may bring their own taxonomy; a saved model carries
its taxonomy in its folder (``taxonomy`` key of ``netral_config.json``).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping, Sequence

if TYPE_CHECKING:
    import numpy as np

from ..errors import DataError

_ID_RE = re.compile(r"^[A-Za-z0-9_.\-]+$")


@dataclass(frozen=True)
class Topic:
    """One label of a taxonomy.

    Attributes:
        id: machine identifier, used as the label everywhere (``"politik_uang"``).
        name_id: Indonesian display name.
        name_en: English display name.
        definition: one paragraph saying what belongs to the topic.
    """

    id: str
    name_id: str = ""
    name_en: str = ""
    definition: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not _ID_RE.match(self.id):
            raise DataError(
                f"invalid topic id {self.id!r}: use letters, digits, '_', '-' or '.'"
            )

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


class Taxonomy(Sequence[Topic]):
    """An ordered, immutable set of topics.

    ``Taxonomy.from_labels(["a", "b"])`` builds one from bare ids; ``len``, iteration,
    indexing by position and ``in`` (by id or Topic) work like on a tuple.
    """

    def __init__(self, topics: Iterable[Topic | Mapping[str, Any] | str], name: str = "custom"):
        items: list[Topic] = []
        for t in topics:
            if isinstance(t, Topic):
                items.append(t)
            elif isinstance(t, str):
                items.append(Topic(id=t))
            elif isinstance(t, Mapping):
                items.append(Topic(**{k: t[k] for k in ("id", "name_id", "name_en", "definition") if k in t}))
            else:
                raise DataError(f"cannot make a Topic from {type(t).__name__}")
        ids = [t.id for t in items]
        if not ids:
            raise DataError("a taxonomy needs at least one topic")
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise DataError(f"duplicate topic ids in taxonomy: {dupes}")
        self._topics = tuple(items)
        self._index = {t.id: i for i, t in enumerate(items)}
        self.name = name

    @classmethod
    def from_labels(cls, labels: Iterable[str], name: str = "custom") -> "Taxonomy":
        return cls([Topic(id=str(x)) for x in labels], name=name)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Taxonomy":
        if not isinstance(data, Mapping) or "topics" not in data:
            raise DataError("taxonomy JSON must be an object with a 'topics' list")
        return cls(data["topics"], name=str(data.get("name", "custom")))

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "topics": [t.to_dict() for t in self._topics]}

    @property
    def ids(self) -> list[str]:
        """Topic ids in column order."""
        return [t.id for t in self._topics]

    def index(self, topic_id: str) -> int:  # type: ignore[override]
        try:
            return self._index[topic_id]
        except KeyError:
            raise KeyError(f"unknown topic {topic_id!r}; known: {self.ids}") from None

    def binarize(self, label_lists: Iterable[Iterable[str]]) -> "np.ndarray":
        """Label lists → 0/1 matrix ``(n, len(self))``; unknown labels raise :class:`DataError`."""
        import numpy as np

        rows = list(label_lists)
        out = np.zeros((len(rows), len(self)), dtype=np.int8)
        for i, labels in enumerate(rows):
            if isinstance(labels, str):
                labels = [labels]
            for lab in labels:
                j = self._index.get(lab)
                if j is None:
                    raise DataError(f"row {i}: unknown label {lab!r}; known: {self.ids}")
                out[i, j] = 1
        return out

    def subset(self, topic_ids: Iterable[str]) -> "Taxonomy":
        """The topics named in ``topic_ids``, in this taxonomy's order (unknown ids raise ``KeyError``)."""
        wanted = set(topic_ids)
        for topic_id in wanted:
            self.index(topic_id)
        return Taxonomy([t for t in self._topics if t.id in wanted], name=self.name)

    def get(self, topic_id: str) -> Topic:
        return self._topics[self.index(topic_id)]

    def __getitem__(self, i):  # type: ignore[override]
        return self._topics[i]

    def __len__(self) -> int:
        return len(self._topics)

    def __iter__(self) -> Iterator[Topic]:
        return iter(self._topics)

    def __contains__(self, item: object) -> bool:
        key = item.id if isinstance(item, Topic) else item
        return key in self._index

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Taxonomy) and self._topics == other._topics

    def __hash__(self) -> int:
        return hash(self._topics)

    def __repr__(self) -> str:
        return f"Taxonomy(name={self.name!r}, topics={self.ids})"


DEFAULT_TAXONOMY = Taxonomy(
    [
        Topic(
            id="netralitas_asn",
            name_id="Netralitas ASN",
            name_en="Civil-servant neutrality",
            definition=(
                "Civil servants (ASN/PNS/PPPK/honorer), TNI/Polri, village heads and officials "
                "(kepala desa, perangkat desa, lurah, camat), BUMN/government staff being partisan: "
                "campaigning, showing support (posts, likes, poses with numbers or symbols), attending "
                "campaign events, using office, budget, programmes or facilities for a candidate, "
                "mobilising subordinates; and news, rules, warnings, sanctions, pledges and "
                "socialisation about their neutrality."
            ),
        ),
        Topic(
            id="politik_uang",
            name_id="Politik uang",
            name_en="Money politics",
            definition=(
                "Offering or giving money, goods (sembako, amplop), services or promised rewards to "
                "sway voters or election officials: serangan fajar, vote buying, bribing organisers, "
                "mahar politik; and reports, prevention and enforcement about it."
            ),
        ),
        Topic(
            id="hoaks",
            name_id="Hoaks dan disinformasi",
            name_en="Hoaxes and disinformation",
            definition=(
                "Texts asserting or spreading false, fabricated or misleading claims (doctored "
                "photos/videos, fake quotes or documents, provocative rumours) about elections, "
                "candidates, organisers or public affairs; and fact-checks, debunks, warnings and "
                "discussion about hoaxes."
            ),
        ),
        Topic(
            id="sara_ujaran_kebencian",
            name_id="SARA dan ujaran kebencian",
            name_en="SARA and hate speech",
            definition=(
                "Hate speech, slurs, insults or incitement against people or groups by ethnicity, "
                "religion, race or group identity (SARA), dehumanising labels, identity-based black "
                "campaigns; and discussion of politicising SARA."
            ),
        ),
        Topic(
            id="pelanggaran_kampanye",
            name_id="Pelanggaran kampanye",
            name_en="Campaign violations",
            definition=(
                "Other campaign-rule violations: campaigning outside the schedule (curi start, masa "
                "tenang), in forbidden places (houses of worship, schools, government offices), misuse "
                "of state facilities, illegal or misplaced props (APK, baliho, spanduk), involving "
                "children, campaign-finance breaches; and reports and enforcement about them."
            ),
        ),
    ],
    name="netral-pemilu-v1",
)
"""The five election-supervision topics. A text may have none, one or several."""

__all__ = ["Topic", "Taxonomy", "DEFAULT_TAXONOMY"]
