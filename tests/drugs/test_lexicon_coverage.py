"""Brands and generics that workers' compensation requests name, each found with its generic.

The list was written from the drugs UR decisions commonly dispute (opioids, muscle relaxants,
sleep aids, neuropathic agents, NSAIDs, GI protection, topicals, viscosupplements and the rest);
the entries after 'found missing' were not in the lexicon when this test was written.
"""

from __future__ import annotations

import pytest

from imr.drugs import lookup_drug

EXPECTED = {
    "Norco": "hydrocodone/acetaminophen",
    "Ultracet": "tramadol/acetaminophen",
    "Nucynta": "tapentadol",
    "Opana": "oxymorphone",
    "Exalgo": "hydromorphone",
    "Butrans": "buprenorphine",
    "Fexmid": "cyclobenzaprine",
    "Skelaxin": "metaxalone",
    "Belsomra": "suvorexant",
    "Savella": "milnacipran",
    "Gralise": "gabapentin",
    "Relafen": "nabumetone",
    "Daypro": "oxaprozin",
    "Zipsor": "diclofenac",
    "Vimovo": "naproxen/esomeprazole",
    "Dexilant": "dexlansoprazole",
    "Movantik": "naloxegol",
    "Nuvigil": "armodafinil",
    "Fioricet": None,
    "Euflexxa": "hyaluronic acid",
    # found missing
    "Talwin": "pentazocine",
    "Parafon": "chlorzoxazone",
    "Levitra": "vardenafil",
    "Chantix": "varenicline",
    "Nicoderm": "nicotine",
    "Gelsyn-3": "hyaluronic acid",
    "Lithium carbonate": "lithium",
}


@pytest.mark.parametrize(("name", "generic"), EXPECTED.items())
def test_requested_drug_is_known(name: str, generic: str | None) -> None:
    entry = lookup_drug(name)
    assert entry is not None, name
    if generic is not None:
        assert entry.generic == generic
