"""Person names in support messages, without an NER model: cue phrases and a compact first-name list.

Two ways a name is found:
- after a cue that introduces, addresses or signs with a person ("my name is", "this is", "Hi Sam,",
  "Thanks,\\nMaria Lopez", "Mrs Patel", "my wife Anna", "signed for by J. Smith", "Fatima here");
- a capitalised word in the first-name list anywhere, with the surname words that follow it.
Both stop at ordinary capitalised words (sentence starts, days, "Support Team"), and product and brand names
that are built on first names ("Ralph Lauren", "Air Jordan 1", "Hey Alexa") are not people.
"""

from __future__ import annotations

import re
from typing import Iterable, Iterator, List, Optional, Pattern, Tuple, Union

from common.recognisers import NAME, Context, Span

_UPPER = "A-ZÀ-ÖØ-Þ"
_LOWER = "a-zß-öø-ÿ"
# "Maria", "O'Brien", "McDonald", "Al-Farsi", "Müller"; at least two letters, so "I" is no name.
_WORD = rf"[{_UPPER}](?:[{_LOWER}]+|['’\-]?[{_UPPER}][{_LOWER}]+)(?:['’\-]?[{_UPPER}][{_LOWER}]+)*"
_ANY_CASE_WORD = rf"[{_UPPER}{_LOWER}]+(?:['’\-][{_UPPER}{_LOWER}]+)*"
_PARTICLE = r"(?:de|da|di|del|della|van|von|der|den|la|le|bin|ibn|dos|das|du)"
_FULL = rf"{_WORD}(?:(?:\s+{_PARTICLE})*[ \t]+{_WORD}){{0,2}}"
_TITLE = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Mme|Herr|Frau|Señor|Señora)\.?\s+"

# Common first names across the store's customers' languages. Words that are also everyday English or months
# (Mark, May, Will, Grace...) are left out: a cue still finds them.
FIRST_NAMES = frozenset(
    """
    aaron adam adrian ahmed aisha alan albert alex alexander alexandra ali alice alicia alison amanda amelia amir
    amy ana andrea andreas andrew angela anil anita ann anna anne annie anthony antonio arjun arthur ashley aya
    barbara beatriz ben benjamin bernard beth bianca bob brian bruno carla carlos carmen caroline catherine
    charles charlotte chen chloe chris christian christina christine claire clara claudia daniel daniela david
    deborah deepak diana diego dimitri dmitri dominic ed edward elena eleanor elif eliza elizabeth ella ellen emily
    emma eric erik eva fatima fatma felipe felix fernando fiona francesca francesco francisco gabriel gabriela
    george gemma giovanni giulia greg gregory hamza hannah hans harriet harry hassan heather helen helena henry
    hugo ian ibrahim igor ines ingrid irene isaac isabel isabella isla ivan jack jacob james jamie jan jane
    janet jason javier jennifer jessica joan joanna joao joe johann johanna john jonathan jorge jose joseph
    joshua juan julia julian juliet julie jurgen karen karim katarzyna kate katherine kathryn katie kenji kevin
    khalid kim kofi laura lauren leah lena leo leon liam lina linda lisa lorenzo louise lucas lucia lucy luis
    luke lukas magdalena maria marie marina mario marta martin mary matteo matthew maya mehmet mia michael
    michelle miguel mohammed mohamed muhammad nadia natalia natasha nathan nicola nicole niamh nina noah nora
    oliver olivia olga omar oscar owen pablo paolo patricia patrick paul paula pedro peter philip pierre piotr
    pooja priya rachel rafael rahul raj rajesh rebecca richard robert roberto rosa ryan sam samantha samuel
    sandra sara sarah sean sebastian sergei simon sofia sophia sophie stefan stephanie stephen steven susan
    tanya thomas tim timothy tom tomasz tony valentina vanessa victor vikram vincent wei william xavier yusuf
    yuki zainab zoe dave steve mike jim nick rob andy matt dan sue liz meg tess jo
    """.split()
)
# Capitalised words that are not (part of) a name where a cue or a first name stands before them.
_NOT_NAMES = frozenset(
    """
    the a an and or but if so not no yes ok okay hi hello hey dear thanks thank cheers regards best kind please
    i im i'm my me your our their his her we you they it its it's this that these those is are was were be been
    have has had do does did can could will would should may might must shall just still really very also again
    here there where when what why how who which sorry trying looking having getting calling writing waiting
    the customer support service team sir madam all everyone anyone somebody frontdesk bot human agent manager
    monday tuesday wednesday thursday friday saturday sunday january february march april june july august
    september october november december today tomorrow yesterday morning afternoon evening night
    order invoice refund return delivery parcel account card email phone address mobile box ltd inc gmbh
    family urgent fine good great happy unhappy confused done back interested unable able afraid sure glad new
    alexa siri cortana google mr mrs ms miss mx dr prof
    italian british german french spanish american english irish scottish welsh canadian australian polish
    dutch swedish danish indian chinese japanese european
    """.split()
)
_BRANDS = frozenset(
    """
    ralph lauren|victoria beckham|paul smith|tommy hilfiger|marc jacobs|calvin klein|michael kors|tom ford
    |hugo boss|harry potter|jack wolfskin|ted baker|kate spade|tory burch|vera wang|stella mccartney
    |alexander mcqueen|karl lagerfeld|jimmy choo|kitchen aid|ben sherman|fred perry|karen millen|dr martens
    |jo malone|charlotte tilbury|giorgio armani|jack jones|pierre cardin|john lewis|kenneth cole|anne klein
    |mary kay|ben jerry|jack daniels|johnnie walker|james bond|peter rabbit|tom tailor
    """.replace("\n", "")
    .replace(" |", "|")
    .strip()
    .split("|")
)
_PRODUCT_WORDS = frozenset("air nike adidas apple samsung galaxy lego sony ok hey".split())

# Cues after which a name follows. Lowercase names count only when they are first names.
_INTRODUCTION = r"(?:my name is|my name's|name is|name:|call me|i'm called|soy|me llamo|ich bin|je suis|je m'appelle|mein name ist)"
_SELF = r"(?:i'm|i am|im|this is)"
# "It's Tuesday", "it's Nike": after "it's" only a listed first name is taken ("hey it's ben").
_ITS = r"(?:it's|its|it is)"
_ADDRESSING = (
    r"(?:hi|hello|hey|dear|morning|good morning|good afternoon|good evening|thanks|thank you|thx|cheers)"
)
_RELATION = (
    r"(?:(?:my|our)\s+(?:wife|husband|partner|son|daughter|mother|mum|mom|father|dad|sister|brother|friend"
    r"|colleague|neighbour|neighbor|boss|grandmother|grandfather|grandma|grandpa|niece|nephew|aunt|uncle"
    r"|cousin|flatmate|housemate|assistant|girlfriend|boyfriend)(?:\s+is)?(?:\s+called)?"
    r"|account holder(?:\s+is|:)?|name on (?:the )?card(?:\s+is|:)?|under the name(?: of)?|(?:is|are) under"
    r"|addressed to|signed (?:for )?by|on behalf of|ask(?:ed)? for|ask|speak (?:to|with)|spoke (?:to|with)"
    r"|talk(?:ed)? (?:to|with)|is this|recipient is|partner is|made out to|collected by|sent by)"
)
# A bare "Best" signs off only before a comma or a line break ("at Best Buy" is a shop).
_SIGN_OFF = (
    r"(?:thanks|thank you|many thanks|regards|kind regards|best regards|warm regards|best wishes|best(?=[,!.]|\s*\n)|cheers"
    r"|sincerely|yours|bye|ta|thx)"
)
# How a cue's first word is taken: capitalised only (False), or lowercase too when it is a listed first name
# (True), or only when it is a listed first name, whatever its case.
_LISTED_ONLY = "listed only"
_CUED: List[Tuple[Pattern[str], Union[bool, str]]] = [
    (
        re.compile(rf"\b{_INTRODUCTION}\s+(?P<name>{_ANY_CASE_WORD}(?:\s+{_WORD}){{0,2}})", re.IGNORECASE),
        True,
    ),
    (re.compile(rf"(?i:\b{_SELF})\s+(?:{_TITLE})?(?P<name>{_FULL})"), False),
    (re.compile(rf"(?i:\b{_SELF})\s+(?P<name>{_ANY_CASE_WORD})"), True),
    (re.compile(rf"(?i:\b{_ITS})\s+(?P<name>{_ANY_CASE_WORD}(?:[ \t]+{_WORD})?)"), _LISTED_ONLY),
    (re.compile(rf"(?i:\b{_ADDRESSING})\s*,?\s+(?:{_TITLE})?(?P<name>{_FULL})"), False),
    (re.compile(rf"(?i:\b{_RELATION})\s+(?:{_TITLE})?(?P<name>{_FULL})"), False),
    (re.compile(rf"{_TITLE}(?P<name>{_FULL})"), False),
    (
        re.compile(
            rf"(?:^|[.!?,;:]\s*|(?i:\b(?:hi|hello|hey)\b)[,!]?\s+)(?P<name>{_FULL})\s+(?i:here)\b", re.M
        ),
        False,
    ),
    (
        re.compile(
            rf"(?P<name>{_FULL})\s+from\s+(?:your|the)\s+(?:team|support|shop|store|warehouse|office)"
        ),
        False,
    ),
    (re.compile(rf"\b(?i:the)\s+(?P<name>{_WORD})\s+(?i:family)\b"), False),
    (
        re.compile(
            rf"(?i:\b{_SIGN_OFF})[,!.]?[ \t]*(?:[-—–][ \t]*)?\n?[ \t]*(?:{_TITLE})?(?P<name>{_ANY_CASE_WORD}"
            rf"(?:[ \t]+{_WORD}){{0,2}})[ \t]*[.!]?[ \t]*$",
            re.M,
        ),
        True,
    ),
    (re.compile(rf"^[ \t]*[-—–][ \t]*(?P<name>{_FULL})[ \t]*$", re.M), False),
    # The last word of a thanking line, when it is a listed first name: "thanks so much james!".
    (
        re.compile(
            rf"(?i:\b(?:thanks|thank you|cheers))\b[^\n]{{0,30}}?[ \t,]+(?P<name>{_ANY_CASE_WORD})[ \t]*[.!]*[ \t]*$",
            re.M,
        ),
        _LISTED_ONLY,
    ),
]
_INITIAL = re.compile(rf"(?<![\w.])[A-Z]\.[ \t]?(?P<name>{_WORD})")
_CAPITALISED = re.compile(rf"(?<![\w'’\-]){_WORD}")
_FULL_NAME = re.compile(_FULL)
_NAME_WORDS = re.compile(rf"{_PARTICLE}(?=\s)|[{_UPPER}{_LOWER}'’\-]+")


def _is_first_name(word: str) -> bool:
    return word.lower() in FIRST_NAMES


def _name_end(text: str, start: int, end: int, *, lowercase_first_name: Union[bool, str]) -> Optional[int]:
    """Where the name in text[start:end] ends: at the first word that is no part of a name, or None if
    its first word is none ("I'm not", "Hi Team")."""
    kept = None
    for position, word in enumerate(_NAME_WORDS.finditer(text, start, end)):
        value = word.group()
        lowered = value.lower()
        if lowered in _NOT_NAMES:
            break
        if position == 0 and lowercase_first_name == _LISTED_ONLY and not _is_first_name(value):
            return None
        if position == 0 and not value[0].isupper() and not (lowercase_first_name and _is_first_name(value)):
            return None
        if position > 0 and not value[0].isupper() and not re.fullmatch(_PARTICLE, value):
            break
        if kept is not None and f"{text[start:kept].lower()} {lowered}" in _BRANDS:
            return None
        kept = word.end()
    if kept is not None and text[start:kept].lower() in _BRANDS:
        return None
    # A trailing particle ("Pieter de") belongs to the next word, which was not kept.
    while kept is not None and re.search(rf"\s{_PARTICLE}$", text[start:kept]):
        kept = text.rfind(" ", start, kept)
    return kept


def _beside_a_number_or_product(text: str, start: int, end: int) -> bool:
    """ "Air Jordan", "Jordan 1", "3 Jan", or the second half of a brand ("Ralph Lauren" found at "Lauren")."""
    before = text[max(0, start - 20) : start].split()
    after = text[end : end + 4].lstrip()
    previous = before[-1].lower().strip(",") if before else ""
    return bool(
        after[:1].isdigit()
        or previous.isdigit()
        or previous in _PRODUCT_WORDS
        or f"{previous} {text[start:end].lower()}" in _BRANDS
        or f"{previous} {text[start:end].split()[0].lower()}" in _BRANDS
    )


def _cued_names(text: str) -> Iterator[Span]:
    for pattern, lowercase_allowed in _CUED:
        for match in pattern.finditer(text):
            start = match.start("name")
            end = _name_end(text, start, match.end("name"), lowercase_first_name=lowercase_allowed)
            if end is not None and not _beside_a_number_or_product(text, start, end):
                yield Span(start, end, NAME)
    for match in _INITIAL.finditer(text):
        end = _name_end(text, match.start("name"), match.end("name"), lowercase_first_name=False)
        if end is not None:
            yield Span(match.start(), end, NAME)


def _listed_names(text: str) -> Iterator[Span]:
    for match in _CAPITALISED.finditer(text):
        if not _is_first_name(match.group()):
            continue
        start = match.start()
        # The first name and the capitalised surname words after it, on the same line.
        line_end = text.find("\n", start)
        following = _FULL_NAME.match(text, start, line_end if line_end >= 0 else len(text))
        stop = following.end() if following else match.end()
        end = _name_end(text, start, stop, lowercase_first_name=False)
        if end is not None and not _beside_a_number_or_product(text, start, end):
            yield Span(start, end, NAME)


def person_names(text: str, _context: Context) -> Iterable[Span]:
    spans: List[Span] = [*_cued_names(text), *_listed_names(text)]
    return spans
