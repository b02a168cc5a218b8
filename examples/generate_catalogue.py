"""Generate the catalogue-language example (deterministic; run `python examples/generate_catalogue.py`).

``catalogue_language/`` holds short product entries of a shop that sells in five languages, and the
language of each entry (``language``: en, de, fr, es, it), the label a language-ID model predicts:
  - ``train.csv`` / ``test.csv``: ``entry_id``, ``text``, ``language``, split at random;
  - ``rules.csv``: the shop's old routing rules, regular expressions that send an entry to a
    translator (``pitfall scan ... --rules rules.csv``). The German rule (umlauts, ß and a few
    function words) labels German entries nearly as well as a model does; the others are rough.

The pitfalls: the shop lists many products twice (a re-listing with other capitals or
punctuation, or with a sale tag or one size changed), and the random split put 90 of these
second listings in the test set, opposite their first (PF201 for identical normalised text,
PF202 for near copies). Entries carry a brand and an article number, so two different products
rarely share a text by chance.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
OUT = HERE / "catalogue_language"

N_PRODUCTS = 3000
TEST_SHARE = 0.2
EXACT_RELISTINGS = 30  # second listings in test that differ in case and punctuation only
NEAR_RELISTINGS = 60  # second listings in test with a sale tag or one size changed

BRANDS = [
    "Nordvik",
    "Alba",
    "Castello",
    "Brisa",
    "Lumen",
    "Kestrel",
    "Orla",
    "Vento",
    "Tessa",
    "Marlo",
    "Fjord",
    "Sierra",
    "Piazza",
    "Rhein",
    "Loire",
]
SIZES = ["XS", "S", "M", "L", "XL"]

LANGUAGES = {
    "en": {
        "template": "{brand} {item} for {who}, {colour}, {material}, size {size}, art. {code}",
        "item": ["t-shirt", "running shoes", "scarf", "rain jacket", "summer dress", "socks", "hoodie", "jeans"],
        "who": ["men", "women", "kids"],
        "colour": ["red", "blue", "black", "white", "green", "grey"],
        "material": ["cotton", "wool", "leather", "linen", "polyester"],
        "sale": " - sale",
    },
    "de": {
        "template": "{brand} {item} für {who}, {colour}, aus {material}, Größe {size}, Art. {code}",
        "item": ["T-Shirt", "Laufschuhe", "Schal", "Regenjacke", "Sommerkleid", "Socken", "Kapuzenpulli", "Jeans"],
        "who": ["Herren", "Damen", "Kinder"],
        "colour": ["rot", "blau", "schwarz", "weiß", "grün", "grau"],
        "material": ["Baumwolle", "Wolle", "Leder", "Leinen", "Polyester"],
        "sale": " - Angebot",
    },
    "fr": {
        "template": "{brand} {item} pour {who}, {colour}, en {material}, taille {size}, réf. {code}",
        "item": [
            "t-shirt",
            "chaussures de course",
            "écharpe",
            "veste de pluie",
            "robe d'été",
            "chaussettes",
            "sweat à capuche",
            "jean",
        ],
        "who": ["homme", "femme", "enfant"],
        "colour": ["rouge", "bleu", "noir", "blanc", "vert", "gris"],
        "material": ["coton", "laine", "cuir", "lin", "polyester"],
        "sale": " - soldes",
    },
    "es": {
        "template": "{brand} {item} para {who}, {colour}, de {material}, talla {size}, ref. {code}",
        "item": [
            "camiseta",
            "zapatillas de correr",
            "bufanda",
            "chaqueta impermeable",
            "vestido de verano",
            "calcetines",
            "sudadera con capucha",
            "vaqueros",
        ],
        "who": ["hombre", "mujer", "niños"],
        "colour": ["rojo", "azul", "negro", "blanco", "verde", "gris"],
        "material": ["algodón", "lana", "cuero", "lino", "poliéster"],
        "sale": " - rebajas",
    },
    "it": {
        "template": "{brand} {item} per {who}, {colour}, in {material}, taglia {size}, art. {code}",
        "item": [
            "maglietta",
            "scarpe da corsa",
            "sciarpa",
            "giacca antipioggia",
            "vestito estivo",
            "calzini",
            "felpa con cappuccio",
            "jeans",
        ],
        "who": ["uomo", "donna", "bambini"],
        "colour": ["rosso", "blu", "nero", "bianco", "verde", "grigio"],
        "material": ["cotone", "lana", "pelle", "lino", "poliestere"],
        "sale": " - saldi",
    },
}

RULES = """\
# The shop's routing rules: the first matching pattern gives the language; no match: the majority.
pattern,label
"[äöüß]|\\b(für|aus|Größe|Herren|Damen|Kinder)\\b",de
"\\b(pour|taille|homme|femme)\\b",fr
"\\b(para|talla|hombre|mujer)\\b",es
"\\b(per|taglia|uomo|donna)\\b",it
"""


def entry(rng: np.random.Generator, language: str) -> str:
    words = LANGUAGES[language]
    return words["template"].format(
        brand=rng.choice(BRANDS),
        item=rng.choice(words["item"]),
        who=rng.choice(words["who"]),
        colour=rng.choice(words["colour"]),
        material=rng.choice(words["material"]),
        size=rng.choice(SIZES),
        code=int(rng.integers(1000, 99999)),
    )


def relist(rng: np.random.Generator, text: str, language: str, near: bool) -> str:
    """A second listing of the same product: other case and punctuation, or a sale tag / another size."""
    if not near:
        return text.upper().replace(",", ";") + "!"
    if rng.random() < 0.5:
        return text + LANGUAGES[language]["sale"]
    for size in SIZES[::-1]:
        marker = f" {size},"
        if marker in text:
            other = SIZES[(SIZES.index(size) + 1) % len(SIZES)]
            return text.replace(marker, f" {other},", 1)
    return text + LANGUAGES[language]["sale"]


def generate(seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    languages = rng.choice(list(LANGUAGES), size=N_PRODUCTS, p=[0.4, 0.2, 0.15, 0.15, 0.1])
    frame = pd.DataFrame({"text": [entry(rng, lang) for lang in languages], "language": languages})
    is_test = rng.random(N_PRODUCTS) < TEST_SHARE
    train, test = frame[~is_test].reset_index(drop=True), frame[is_test].reset_index(drop=True)
    # second listings: copies of training entries that landed in test
    sources = rng.choice(len(train), size=EXACT_RELISTINGS + NEAR_RELISTINGS, replace=False)
    copies = [
        {
            "text": relist(rng, train["text"].iloc[s], train["language"].iloc[s], near=k >= EXACT_RELISTINGS),
            "language": train["language"].iloc[s],
        }
        for k, s in enumerate(sources)
    ]
    test = pd.concat([test, pd.DataFrame(copies)], ignore_index=True)
    test = test.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    train.insert(0, "entry_id", [f"E{i:05d}" for i in range(len(train))])
    test.insert(0, "entry_id", [f"E{i:05d}" for i in range(len(train), len(train) + len(test))])
    return train, test


def main(out: Path = OUT) -> None:
    out.mkdir(parents=True, exist_ok=True)
    train, test = generate()
    train.to_csv(out / "train.csv", index=False)
    test.to_csv(out / "test.csv", index=False)
    (out / "rules.csv").write_text(RULES, encoding="utf-8")
    print(f"wrote {out}: {len(train)} train / {len(test)} test entries and rules.csv", file=sys.stderr)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
