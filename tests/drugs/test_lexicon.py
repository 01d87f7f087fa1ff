"""The drug lexicon: names requests use -> generic, class, DEA schedule; text search with offsets."""

from __future__ import annotations

from pathlib import Path

import pytest

from imr.drugs import compound, drug_classes, find_drugs, lexicon, lookup_drug, topical
from imr.drugs.lexicon import DrugLexiconError, load_lexicon

RULE_CLASSES = {
    "opioid",
    "benzodiazepine",
    "muscle relaxant",
    "anti-epilepsy drug",
    "nsaid",
    "cox-2 inhibitor",
    "proton pump inhibitor",
    "h2 blocker",
    "antidepressant",
    "sleep aid",
    "topical analgesic",
    "topical nsaid",
    "lidocaine",
    "capsaicin",
    "medical food",
    "stimulant",
    "antiemetic",
    "laxative",
    "triptan",
    "barbiturate-containing analgesic",
    "corticosteroid",
    "antihistamine",
    "antipsychotic",
    "dietary supplement",
    "other",
}


@pytest.mark.parametrize(
    ("name", "generic", "drug_class", "schedule"),
    [
        ("Norco", "hydrocodone/acetaminophen", "opioid", "II"),
        ("Vicodin", "hydrocodone/acetaminophen", "opioid", "II"),
        ("Percocet", "oxycodone/acetaminophen", "opioid", "II"),
        ("Nucynta ER", "tapentadol", "opioid", "II"),
        ("Ultram", "tramadol", "opioid", "IV"),
        ("Tylenol #3", "codeine/acetaminophen", "opioid", "III"),
        ("Butrans", "buprenorphine", "opioid", "III"),
        ("Soma", "carisoprodol", "muscle relaxant", "IV"),
        ("Flexeril", "cyclobenzaprine", "muscle relaxant", None),
        ("Neurontin", "gabapentin", "anti-epilepsy drug", None),
        ("Lyrica", "pregabalin", "anti-epilepsy drug", "V"),
        ("Xanax", "alprazolam", "benzodiazepine", "IV"),
        ("Ambien", "zolpidem", "sleep aid", "IV"),
        ("Prilosec", "omeprazole", "proton pump inhibitor", None),
        ("Celebrex", "celecoxib", "cox-2 inhibitor", None),
        ("Cymbalta", "duloxetine", "antidepressant", None),
        ("Elavil", "amitriptyline", "antidepressant", None),
        ("Lidoderm", "lidocaine", "lidocaine", None),
        ("Fioricet", "butalbital/acetaminophen/caffeine", "barbiturate-containing analgesic", None),
        ("Fiorinal", "butalbital/aspirin/caffeine", "barbiturate-containing analgesic", "III"),
        ("Provigil", "modafinil", "stimulant", "IV"),
    ],
)
def test_brand_names_resolve_to_generic_class_and_federal_schedule(name, generic, drug_class, schedule):
    entry = lookup_drug(name)
    assert entry is not None, name
    assert (entry.generic, entry.drug_class, entry.schedule) == (generic, drug_class, schedule)
    assert entry.kind == "brand" and entry.brand == name


def test_generic_names_salts_and_release_forms_resolve_to_the_generic():
    for name in ("alprazolam", "Bupropion HCL", "Venlafaxine HCL ER", "Pantoprazole sodium", "cyclobenzaprine hydrochloride"):
        entry = lookup_drug(name)
        assert entry is not None and entry.kind == "generic" and entry.brand is None, name
    assert lookup_drug("Bupropion HCL").generic == "bupropion"


def test_compounding_kits_and_branded_topicals_list_their_ingredients():
    expected = {
        "Deprizine": ("ranitidine", "h2 blocker"),
        "Fanatrex": ("gabapentin", "anti-epilepsy drug"),
        "Synapryn": ("tramadol/glucosamine", "opioid"),
        "Tabradol": ("cyclobenzaprine/methylsulfonylmethane", "muscle relaxant"),
        "Dicopanol": ("diphenhydramine", "sleep aid"),
        "Ketophene": ("ketoprofen", "topical nsaid"),
        "Terocin": ("methyl salicylate/capsaicin/menthol/lidocaine", "topical analgesic"),
        "Medrox": ("methyl salicylate/menthol/capsaicin", "topical analgesic"),
    }
    for name, (generic, drug_class) in expected.items():
        entry = lookup_drug(name)
        assert entry is not None and entry.kind == "compound", name
        assert (entry.generic, entry.drug_class) == (generic, drug_class), name
    # a kit carries the schedule of its controlled ingredient
    assert lookup_drug("Synapryn").schedule == "IV"


def test_medical_foods_are_their_own_class():
    for name in ("Theramine", "Sentra PM", "Trepadone", "Gabadone"):
        entry = lookup_drug(name)
        assert entry is not None and entry.kind == "medical food" and entry.drug_class == "medical food", name


def test_listed_misspellings_name_what_they_mean():
    entry = lookup_drug("Xanex")
    assert entry.kind == "misspelling-of" and entry.misspelling_of == "Xanax" and entry.generic == "alprazolam"
    assert lookup_drug("trazadone").generic == "trazodone"
    assert lookup_drug("Klonipin").generic == "clonazepam"


def test_one_slip_misspellings_of_long_names_are_corrected_but_ordinary_words_are_not():
    assert lookup_drug("Flexerill").generic == "cyclobenzaprine"
    assert lookup_drug("Neurontn").generic == "gabapentin"
    assert lookup_drug("tramadlo").generic == "tramadol"  # swapped letters
    assert lookup_drug("Flexerill", fuzzy=False) is None
    for word in ("motion", "relax", "therapy", "lumbar", "release", "tablet", "weekly", "session"):
        assert lookup_drug(word) is None, word


def test_unknown_and_empty_names_are_none():
    assert lookup_drug("") is None
    assert lookup_drug("   ") is None
    assert lookup_drug("Zzyzxamab") is None


def test_find_drugs_gives_offsets_into_the_text_and_prefers_the_longest_name():
    text = "Current medications: Norco 10/325, Tylenol #3 at night, EC-Naprosyn 500mg and Lidoderm patches."
    mentions = find_drugs(text)
    assert [m.entry.generic for m in mentions] == ["hydrocodone/acetaminophen", "codeine/acetaminophen", "naproxen", "lidocaine"]
    for mention in mentions:
        assert text[mention.start : mention.end] == mention.text
    assert mentions[1].text == "Tylenol #3"


def test_find_drugs_finds_nothing_in_service_requests():
    for text in (
        "MRI of the lumbar spine without contrast",
        "Physical therapy 2 times a week for 6 weeks",
        "Urine drug screen",
        "TENS unit",
        "Lumbar support",
    ):
        assert find_drugs(text) == [], text


def test_topical_preparations_take_the_topical_class():
    assert topical(lookup_drug("ketoprofen")).drug_class == "topical nsaid"
    assert topical(lookup_drug("gabapentin")).drug_class == "topical analgesic"
    assert topical(lookup_drug("gabapentin")).form.startswith("topical")
    mix = compound([lookup_drug("flurbiprofen"), lookup_drug("lidocaine")])
    assert (mix.generic, mix.drug_class, mix.kind) == ("flurbiprofen/lidocaine", "topical analgesic", "compound")


def test_lexicon_size_classes_and_schedules_are_within_the_published_vocabularies():
    entries = lexicon().entries
    assert len(entries) >= 200
    assert drug_classes() <= RULE_CLASSES
    assert {e.schedule for e in entries.values()} <= {None, "II", "III", "IV", "V"}
    for entry in entries.values():
        assert entry.generic == entry.generic.lower()


def test_a_broken_lexicon_file_is_reported_with_its_name(tmp_path: Path):
    bad = tmp_path / "drugs.yaml"
    bad.write_text("generics:\n  - {class: opioid}\n", encoding="utf-8")
    with pytest.raises(DrugLexiconError, match="drugs.yaml"):
        load_lexicon(bad)
    bad.write_text("generics: []\nmisspellings: {Xanex: Nonexistent}\n", encoding="utf-8")
    with pytest.raises(DrugLexiconError, match="Nonexistent"):
        load_lexicon(bad)


def test_a_name_followed_by_strength_and_count_is_still_the_drug():
    assert lookup_drug("Norco 10/325").generic == "hydrocodone/acetaminophen"
    assert lookup_drug("Xanax 1mg #30").generic == "alprazolam"
    assert lookup_drug("Norco and Soma") is None  # two drugs are not one name


def test_a_name_with_a_skin_form_is_the_topical_preparation():
    assert lookup_drug("ketoprofen cream").drug_class == "topical nsaid"
    assert lookup_drug("gabapentin cream").drug_class == "topical analgesic"
    assert lookup_drug("Lidoderm patch").drug_class == "lidocaine"
    assert lookup_drug("fentanyl patch").drug_class == "opioid"  # transdermal, systemic
    assert lookup_drug("Lenza patch").generic == "lidocaine/menthol"


def test_every_ingredient_of_a_topical_compound_is_a_known_drug():
    # the review engine judges a compound by each ingredient, so each must resolve
    products = {e.name: e for e in lexicon().entries.values() if e.kind == "compound" and (e.form or "").startswith("topical")}
    assert len(products) >= 10
    for product in products.values():
        for ingredient in product.ingredients:
            assert lookup_drug(ingredient, fuzzy=False) is not None, (product.name, ingredient)
