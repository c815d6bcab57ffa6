import json

import numpy as np
import pytest

from netral_nlp import DEFAULT_TAXONOMY, DataError, Taxonomy, Topic

EXPECTED = ["netralitas_asn", "politik_uang", "hoaks", "sara_ujaran_kebencian", "pelanggaran_kampanye"]


def test_default_taxonomy_has_the_five_topics_in_order():
    assert DEFAULT_TAXONOMY.ids == EXPECTED
    assert len(DEFAULT_TAXONOMY) == 5


@pytest.mark.parametrize("topic", list(DEFAULT_TAXONOMY))
def test_every_default_topic_is_fully_described(topic):
    assert topic.name_id and topic.name_en
    assert len(topic.definition) > 100


def test_roundtrip_through_json():
    data = json.loads(json.dumps(DEFAULT_TAXONOMY.to_dict()))
    assert Taxonomy.from_dict(data) == DEFAULT_TAXONOMY


def test_custom_label_set_from_bare_ids():
    tax = Taxonomy.from_labels(["positif", "negatif"])
    assert tax.ids == ["positif", "negatif"]
    assert "positif" in tax and Topic("negatif") in tax and "netral" not in tax
    assert tax.index("negatif") == 1


def test_duplicate_and_invalid_ids_are_rejected():
    with pytest.raises(DataError, match="duplicate"):
        Taxonomy.from_labels(["a", "a"])
    with pytest.raises(DataError, match="invalid topic id"):
        Topic("ada spasi")
    with pytest.raises(DataError, match="at least one"):
        Taxonomy([])


def test_binarize_follows_column_order_and_rejects_unknown_labels():
    m = DEFAULT_TAXONOMY.binarize([["hoaks"], [], ["politik_uang", "netralitas_asn"]])
    assert m.tolist() == [[0, 0, 1, 0, 0], [0, 0, 0, 0, 0], [1, 1, 0, 0, 0]]
    with pytest.raises(DataError, match="row 1: unknown label 'korupsi'"):
        DEFAULT_TAXONOMY.binarize([["hoaks"], ["korupsi"]])


def test_unknown_topic_lookup_names_known_ids():
    with pytest.raises(KeyError, match="netralitas_asn"):
        DEFAULT_TAXONOMY.index("nope")
    assert isinstance(DEFAULT_TAXONOMY.binarize([]), np.ndarray)
