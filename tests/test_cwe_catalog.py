"""Exact facts about the generated CWE 4.14 catalog and the secreview.cwe lookup API."""

import json
from importlib import resources

import pytest

from secreview.cwe import CweEntry, describe, load_catalog, parse_cwe_id

PILLARS = (284, 435, 664, 682, 691, 693, 697, 703, 707, 710)


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def test_load_catalog_is_cached(catalog):
    assert load_catalog() is catalog


def test_json_source_and_notice():
    data = json.loads(resources.files("secreview.cwe").joinpath("catalog.json").read_text(encoding="utf-8"))
    assert data["source"]["version"] == "4.14"
    assert data["source"]["file"] == "cwec_v4.14.xml"
    assert "category_pillar" in data["source"]
    assert data["notice"].strip()
    assert "MITRE" in data["notice"]
    assert tuple(data["pillars"]) == PILLARS


def test_catalog_version_and_notice(catalog):
    assert catalog.version == "4.14"
    assert "termsofuse" in catalog.notice


def test_cwe_78_chain(catalog):
    entry = catalog.get(78)
    assert entry == CweEntry(
        78,
        "Improper Neutralization of Special Elements used in an OS Command ('OS Command Injection')",
        "weakness",
        "Stable",
        (78, 77, 74, 707),
        707,
    )


@pytest.mark.parametrize(
    ("cwe_id", "pillar"),
    [(78, 707), (89, 707), (798, 284), (327, 693), (362, 691), (400, 664), (476, 710)],
)
def test_pillars_of_common_weaknesses(catalog, cwe_id, pillar):
    assert catalog.pillar(cwe_id) == pillar
    assert catalog.get(cwe_id).chain[-1] == pillar


def test_cwe_476_primary_parent_is_710(catalog):
    # 476 has two view-1000 parents (710 Primary, 754); the Primary one wins.
    assert catalog.get(476).chain == (476, 710)


@pytest.mark.parametrize("pillar", PILLARS)
def test_each_pillar_is_its_own_chain(catalog, pillar):
    entry = catalog.get(pillar)
    assert entry.kind == "weakness"
    assert entry.chain == (pillar,)
    assert entry.pillar == pillar


def test_category(catalog):
    entry = catalog.get(1218)
    assert entry.name == "Memory Buffer Errors"
    assert entry.kind == "category"
    assert entry.chain == ()
    assert entry.pillar == 664  # majority pillar of its members (derived)


def test_deprecated_entries_kept_without_chain(catalog):
    deprecated = [e for e in catalog if e.status == "Deprecated"]
    assert deprecated
    assert all(e.chain == () and e.pillar is None for e in deprecated)
    assert catalog.get(1).kind == "category" and catalog.get(1).status == "Deprecated"


@pytest.mark.parametrize("text", [78, "78", "CWE-78", "cwe78", "cwe-78", " CWE-78 "])
def test_parse_cwe_id(text):
    assert parse_cwe_id(text) == 78


@pytest.mark.parametrize("text", ["", "CWE-", "CWE-78a", "abc", "78.0", "CWE--78", 0, -5, True, None, 78.0])
def test_parse_cwe_id_rejects(text):
    with pytest.raises(ValueError):
        parse_cwe_id(text)


def test_unknown_id(catalog):
    assert catalog.get(999999) is None
    assert 999999 not in catalog
    assert "78" not in catalog  # ids are ints
    with pytest.raises(KeyError):
        catalog.name(999999)
    with pytest.raises(KeyError):
        catalog.pillar(999999)


def test_counts(catalog):
    kinds = [e.kind for e in catalog]
    assert kinds.count("weakness") > 900
    assert kinds.count("category") > 300
    assert len(catalog) == len(kinds)


def test_every_live_weakness_reaches_a_pillar(catalog):
    live = [e for e in catalog if e.kind == "weakness" and e.status != "Deprecated"]
    assert live
    for entry in live:
        assert entry.chain, entry
        assert entry.chain[0] == entry.id
        assert entry.chain[-1] in PILLARS
        assert entry.pillar == entry.chain[-1]
        assert len(set(entry.chain)) == len(entry.chain)  # no cycles


def test_search(catalog):
    ids = {e.id for e in catalog.search("os command")}
    assert 78 in ids
    assert catalog.search("zzz-no-such-weakness") == []


def test_describe_cwe_78(catalog):
    text = describe(catalog.get(78), catalog)
    assert text.splitlines()[0].startswith("CWE-78: Improper Neutralization")
    for cwe_id in (78, 77, 74, 707):
        assert f"CWE-{cwe_id} " in text
    assert "Pillar: CWE-707 Improper Neutralization" in text


def test_describe_category(catalog):
    text = describe(catalog.get(1218), catalog)
    assert "category" in text
    assert "derived" in text
