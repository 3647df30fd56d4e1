"""Augmented NLU training data, generated from data/nlu into data/nlu/generated/augmented.yml.

Customers misspell, use other words for the same thing (purchase, parcel, reimbursement) and write
British or American English. From each hand-written, unannotated example this adds, deterministically:
- a typo variant (adjacent letters swapped, a letter dropped or doubled) for a share of the examples;
- a synonym variant where the example uses a word with a common customer synonym or spelling;
- short replies built from templates for the small-talk intents, where one word carries the meaning;
- requests to other companies phrased like ours ("cancel my order at <marketplace>", "refund my <ride app>
  trip"), as `out_of_scope`: a brand name is what tells them apart (carriers and payment providers are left
  out, since our own customers name them about our orders);
- off-topic banking questions: a few examples of each Banking77 intent (train split) that a store does not
  handle, as `out_of_scope` (Banking77, Casanueva et al. 2020, CC BY 4.0; see README "Data and licences").
Nothing generated repeats a training example or comes near a held-out one (tools/check_nlu_data's
near-duplicate rule), so augmentation never leaks a test example into training.

    python -m tools.augment_nlu          # write the file
    python -m tools.augment_nlu --check  # fail if the file is not what the generator writes
"""

from __future__ import annotations

import argparse
import csv
import itertools
import random
import re
import sys
from typing import Dict, Iterable, List, Sequence, Tuple

import yaml

from common.paths import REPO_ROOT, banking77_dir
from tools.check_nlu_data import HELD_OUT, NEAR_DUPLICATE, NearestTraining, load_dir, load_examples, normalise

SOURCE = REPO_ROOT / "data" / "nlu"
BANKING_TARGET = SOURCE / "generated" / "banking77_off_topic.yml"
BANKING77_PER_INTENT = 4
# Banking77 intents a store customer could also mean (payments, refunds, cards at checkout, identity):
# never used as off-topic. The mapped ones are scored as a cross-domain check (tools/nlu_eval.py).
BANKING77_STORE_LIKE = {
    "request_refund",
    "Refund_not_showing_up",
    "declined_card_payment",
    "transaction_charged_twice",
    "edit_personal_details",
    "passcode_forgotten",
    "terminate_account",
    "compromised_card",
    "lost_or_stolen_card",
    "card_payment_not_recognised",
    "pending_card_payment",
    "card_payment_fee_charged",
    "extra_charge_on_statement",
    "reverted_card_payment?",
    "card_not_working",
    "contactless_not_working",
    "virtual_card_not_working",
    "card_acceptance",
    "supported_cards_and_currencies",
    "apple_pay_or_google_pay",
    "visa_or_mastercard",
    "why_verify_identity",
    "verify_my_identity",
    "unable_to_verify_identity",
    "country_support",
    "age_limit",
    "direct_debit_payment_not_recognised",
    "balance_not_updated_after_bank_transfer",
    "card_payment_wrong_exchange_rate",
}
TARGET = SOURCE / "generated" / "augmented.yml"
SEED = 20261130
TYPO_SHARE = 0.25
# Words customers use interchangeably (each maps to its alternatives), and British/American spellings.
SYNONYMS: Dict[str, Sequence[str]] = {
    "order": ("purchase",),
    "purchase": ("order",),
    "package": ("parcel",),
    "parcel": ("package", "delivery"),
    "item": ("article", "product"),
    "product": ("item",),
    "refund": ("reimbursement", "money back"),
    "reimbursement": ("refund",),
    "compensation": ("refund",),
    "bill": ("invoice",),
    "invoice": ("bill", "receipt"),
    "cancelled": ("canceled",),
    "canceled": ("cancelled",),
    "cancelling": ("canceling",),
    "colour": ("color",),
    "color": ("colour",),
    "favourite": ("favorite",),
    "postcode": ("zip code",),
    "zip code": ("postcode",),
    "delivery": ("shipping",),
    "shipping": ("delivery",),
    "email address": ("e-mail",),
    "password": ("pw", "passcode"),
    "account": ("profile",),
}
# Short replies for intents carried by one or two words: every head with every tail.
TEMPLATES: Dict[str, Tuple[Sequence[str], Sequence[str]]] = {
    "affirm": (
        (
            "yes",
            "yeah",
            "yep",
            "yup",
            "sure",
            "ok",
            "okay",
            "absolutely",
            "definitely",
            "correct",
            "right",
            "of course",
            "certainly",
            "indeed",
            "aye",
            "yas",
            "ya",
            "affirmative",
        ),
        (
            "",
            " please",
            ", go ahead",
            " that's it",
            ", do it",
            " thanks",
            ", that's right",
            " i do",
            ", exactly",
        ),
    ),
    "deny": (
        ("no", "nope", "nah", "no way", "not really", "negative", "not at all", "no no", "definitely not"),
        (
            "",
            " thanks",
            " thank you",
            ", don't",
            ", leave it",
            " that's wrong",
            ", i didn't mean that",
            ", that's not what i asked",
        ),
    ),
    "thank": (
        (
            "thanks",
            "thank you",
            "thx",
            "ty",
            "cheers",
            "many thanks",
            "much appreciated",
            "ta",
            "thanks a lot",
            "thank u",
        ),
        (
            "",
            " so much",
            " for your help",
            ", that helped",
            " mate",
            ", great",
            ", perfect",
            " a million",
            " for sorting it",
        ),
    ),
    "greet": (
        (
            "hi",
            "hello",
            "hey",
            "hiya",
            "good morning",
            "good evening",
            "good afternoon",
            "howdy",
            "yo",
            "greetings",
            "hallo",
            "heya",
        ),
        ("", " there", " team", " support", " frontdesk", " anyone there?", ", i need help", " folks", "!!"),
    ),
    "goodbye": (
        (
            "bye",
            "goodbye",
            "see you",
            "cya",
            "later",
            "take care",
            "bye bye",
            "ciao",
            "farewell",
            "gotta go",
            "have a good day",
        ),
        ("", " then", " for now", ", thanks", " all", " and thanks", "!", " everyone"),
    ),
    "stop": (
        (
            "stop",
            "never mind",
            "nevermind",
            "forget it",
            "cancel that",
            "drop it",
            "leave it",
            "skip it",
            "abort",
            "scrap that",
            "quit",
        ),
        (
            "",
            " please",
            " for now",
            ", not needed",
            " i changed my mind",
            ", i'll do it later",
            " now",
            " thanks",
        ),
    ),
    "bot_challenge": (
        (
            "are you a bot",
            "is this a bot",
            "am i talking to a machine",
            "are you human",
            "is this automated",
            "are you a real person",
            "is this an ai",
            "are you a robot",
            "am i chatting with a computer",
        ),
        ("", "?", " or a person", " honestly", " be honest", " or what", " lol"),
    ),
}


# Other companies whose customers write the same requests to their own support, not ours.
OTHER_COMPANIES = (
    "Amazon",
    "eBay",
    "Etsy",
    "Vinted",
    "AliExpress",
    "Zalando",
    "Temu",
    "Shein",
    "IKEA",
    "MediaMarkt",
    "Best Buy",
    "Walmart",
    "Target",
    "Netflix",
    "Spotify",
    "Disney+",
    "HBO Max",
    "Ryanair",
    "easyJet",
    "Lufthansa",
    "Booking.com",
    "Airbnb",
    "Expedia",
    "Uber",
    "Bolt",
    "Lyft",
    "Deliveroo",
    "DoorDash",
    "Just Eat",
    "Uber Eats",
    "Vodafone",
    "Verizon",
    "AT&T",
    "T-Mobile",
    "British Gas",
    "Facebook",
    "Instagram",
    "TikTok",
    "LinkedIn",
    "my gym",
    "my bank",
    "my landlord",
    "the airline",
    "the hotel",
    "my phone company",
    "my insurance company",
    "the council",
    "my electricity supplier",
    "Santander",
    "Barclays",
    "Chase",
    "Revolut",
    "Wells Fargo",
    "HSBC",
)
OTHER_COMPANY_REQUESTS = (
    "cancel my order at {company}",
    "cancel my {company} subscription",
    "i want a refund from {company}",
    "{company} charged me twice, refund it",
    "get my money back from {company}",
    "delete my {company} account",
    "close my {company} account",
    "reset my {company} password",
    "i forgot my {company} password",
    "change the email on my {company} account",
    "change my address with {company}",
    "where is my {company} order",
    "my {company} package never arrived",
    "track my {company} delivery",
    "{company} cancelled my booking, what now",
    "how do i complain to {company}",
    "is {company} down right now",
    "what's the phone number for {company}",
    "can you log into {company} for me",
    "update my card details on {company}",
)
OTHER_COMPANY_SAMPLES = 300


def hand_written() -> Dict[str, List[str]]:
    """Unannotated hand-written examples by intent (annotated ones would need their entity spans moved)."""
    by_intent: Dict[str, List[str]] = {}
    for path in sorted(SOURCE.glob("*.yml")):
        document = yaml.safe_load(path.read_text()) or {}
        for block in document.get("nlu", []):
            if "intent" not in block:
                continue
            lines = [
                line[2:].strip()
                for line in str(block.get("examples", "")).splitlines()
                if line.startswith("- ")
            ]
            by_intent.setdefault(block["intent"], []).extend(
                line for line in lines if "[" not in line and "](" not in line
            )
    return by_intent


def with_typo(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    candidates = [i for i, word in enumerate(words) if len(word) >= 4 and word.isalpha()]
    if not candidates:
        return text
    index = rng.choice(candidates)
    word = words[index]
    at = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("swap", "drop", "double"))
    if kind == "swap":
        word = word[: at - 1] + word[at] + word[at - 1] + word[at + 1 :]
    elif kind == "drop":
        word = word[:at] + word[at + 1 :]
    else:
        word = word[:at] + word[at] + word[at:]
    words[index] = word
    return " ".join(words)


def with_synonym(text: str, rng: random.Random) -> str:
    lowered = text.lower()
    found = [term for term in SYNONYMS if re.search(rf"\b{re.escape(term)}\b", lowered)]
    if not found:
        return text
    term = rng.choice(sorted(found))
    return re.sub(rf"\b{re.escape(term)}\b", rng.choice(SYNONYMS[term]), lowered, count=1)


def generate() -> Dict[str, List[str]]:
    rng = random.Random(SEED)
    source = hand_written()
    all_training = [(intent, text) for intent, texts in source.items() for text in texts]
    seen = {normalise(text) for text in (t for texts in source.values() for t in texts)}
    seen |= {normalise(text) for _, text in load_examples(sorted(SOURCE.glob("*.yml")))}
    held_out = NearestTraining(
        [("held-out", text) for path in HELD_OUT.values() for _, text in load_dir(path)]
    )
    held_out_exact = {normalise(text) for _, text, _ in held_out.train}
    generated: Dict[str, List[str]] = {}

    def keep(intent: str, text: str) -> None:
        key = normalise(text)
        if not key or key in seen or key in held_out_exact:
            return
        if held_out.nearest(text)[0] >= NEAR_DUPLICATE:
            return
        seen.add(key)
        generated.setdefault(intent, []).append(text)

    for intent, text in all_training:
        if rng.random() < TYPO_SHARE:
            keep(intent, with_typo(text, rng))
        variant = with_synonym(text, rng)
        if variant != text.lower():
            keep(intent, variant)
    for intent, (heads, tails) in TEMPLATES.items():
        for head in heads:
            for tail in tails:
                keep(intent, f"{head}{tail}")
    pairs = sorted(itertools.product(OTHER_COMPANY_REQUESTS, OTHER_COMPANIES))
    for template, company in rng.sample(pairs, OTHER_COMPANY_SAMPLES):
        keep("out_of_scope", template.format(company=company))
    return generated


def generate_banking() -> Dict[str, List[str]]:
    """Banking77's off-topic questions, kept apart so the file above never depends on the benchmark."""
    rng = random.Random(SEED)
    held_out = NearestTraining(
        [("held-out", text) for path in HELD_OUT.values() for _, text in load_dir(path)]
    )
    seen = {normalise(text) for _, text in load_examples(sorted(SOURCE.glob("*.yml")))}
    kept = []
    for text in banking_off_topic(rng):
        if normalise(text) not in seen and held_out.nearest(text)[0] < NEAR_DUPLICATE:
            seen.add(normalise(text))
            kept.append(text)
    return {"out_of_scope": kept} if kept else {}


def banking_off_topic(rng: random.Random) -> List[str]:
    """A few questions from each Banking77 intent that has nothing to do with a store (none if absent)."""
    train_csv = banking77_dir() / "train.csv"
    if not train_csv.exists():
        return []
    by_category: Dict[str, List[str]] = {}
    with train_csv.open(newline="") as handle:
        for row in csv.DictReader(handle):
            if row["category"] not in BANKING77_STORE_LIKE:
                by_category.setdefault(row["category"], []).append(" ".join(row["text"].split()))
    picked = []
    for category in sorted(by_category):
        picked += rng.sample(by_category[category], min(BANKING77_PER_INTENT, len(by_category[category])))
    return picked


AUGMENTED_HEADER = (
    "Generated by `python -m tools.augment_nlu` from the hand-written files beside it: do not edit."
)
BANKING_HEADER = (
    "Generated by `python -m tools.augment_nlu`: do not edit. Off-topic banking questions sampled from the\n"
    "Banking77 train split (Casanueva et al., 2020, https://github.com/PolyAI-LDN/task-specific-datasets),\n"
    "licensed CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/); texts unchanged except whitespace."
)


def render(generated: Dict[str, List[str]], header: str) -> str:
    lines = [f"# {line}" for line in header.splitlines()] + ['version: "3.1"', "nlu:"]
    for intent in sorted(generated):
        lines += [f"- intent: {intent}", "  examples: |"]
        lines += [f"    - {text}" for text in generated[intent]]
    return "\n".join(lines) + "\n"


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="fail if the committed file is out of date")
    args = parser.parse_args(list(argv) if argv is not None else None)
    outputs = [(TARGET, render(generate(), AUGMENTED_HEADER))]
    if (banking77_dir() / "train.csv").exists():  # without the benchmark, its committed file stays as it is
        outputs.append((BANKING_TARGET, render(generate_banking(), BANKING_HEADER)))
    stale = [path for path, text in outputs if not path.exists() or path.read_text() != text]
    if args.check:
        for path in stale:
            print(f"{path.relative_to(REPO_ROOT)} is out of date: run `python -m tools.augment_nlu`.")
        return 1 if stale else 0
    for path, text in outputs:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        print(f"wrote {text.count(chr(10) + '    - ')} examples to {path.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
