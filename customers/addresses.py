"""Address validation and as-you-type completion against the street reference data.

The reference data (District and Street, loaded from customers/reference_data by migration 0003)
lists every street segment of the region with its house numbers and postcode. An address is
valid when its street has a segment that holds the house number and, if a postcode or town is
given, that segment has that postcode and lies in that town.

Every entry point runs a fixed number of queries, whatever the size of the data: one for the
list of street names (matched in Python, fuzzily if need be) and one for the segments of the
few names that matched.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Q, Value
from django.db.models.functions import Replace, Upper
from django.utils import timezone

from customers.models import Address, Street

MAX_SUGGESTIONS = 8
NEAREST_NUMBERS = 3
# difflib ratio below which a street name is not offered as a correction; 0.6 still catches
# "Mil Lane" and "Stattion Rd" without offering every other "... Lane" in the region.
STREET_CUTOFF = 0.6
COMPLETION_CUTOFF = 0.75
# Completion fetches segments for this many matching names at most, so one query stays small.
COMPLETION_NAME_LIMIT = 24

# Only the last word of a street is expanded: "St Mary's Walk" starts with Saint, not Street.
STREET_TYPES = {
    "st": "street",
    "str": "street",
    "rd": "road",
    "ln": "lane",
    "la": "lane",
    "ave": "avenue",
    "av": "avenue",
    "dr": "drive",
    "cl": "close",
    "cres": "crescent",
    "cresc": "crescent",
    "ct": "court",
    "gdns": "gardens",
    "gr": "grove",
    "gro": "grove",
    "pl": "place",
    "sq": "square",
    "ter": "terrace",
    "terr": "terrace",
    "wk": "walk",
    "hl": "hill",
}

# Postcodes are compared in compact form (no space, upper case) so "rv12ll" equals "RV1 2LL".
POSTCODE_RE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}$")
POSTCODE_PREFIX_RE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?(\d[A-Z]{0,2})?$")
HOUSE_NUMBER_RE = re.compile(r"^(\d{1,5})\s*([A-Z]?)$")
ADDRESS_FIELDS = ("street", "house_number", "postcode", "town")


@dataclass(frozen=True)
class AddressSuggestion:
    """An address from the reference data the user may have meant; house_number is "" when unknown."""

    street: str
    house_number: str
    postcode: str
    town: str
    label: str


@dataclass
class AddressCheck:
    """The outcome of check_address.

    errors maps form field names to messages; normalised holds the reference spelling when the
    address is valid and the tidied input when it is not.
    """

    is_valid: bool
    reference_street: Street | None
    normalised: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    suggestions: list[AddressSuggestion] = field(default_factory=list)
    technologies: list[str] = field(default_factory=list)


# --- normalisation -------------------------------------------------------------------------


def collapse(text: str) -> str:
    """Trim and collapse runs of whitespace."""
    return " ".join((text or "").split())


def compact_postcode(postcode: str) -> str:
    return "".join((postcode or "").split()).upper()


def format_postcode(postcode: str) -> str:
    """ "rv12ll" -> "RV1 2LL"; anything too short to hold an inward code is only upper-cased."""
    compact = compact_postcode(postcode)
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) >= 5 else compact


def street_key(name: str, *, expand: bool = True) -> str:
    """The form street names are compared in: lower case, no punctuation, abbreviations spelt out."""
    words = re.sub(r"[^a-z0-9 ]", "", (name or "").lower().replace("-", " ")).split()
    words = ["st" if word == "saint" else word for word in words]
    if expand and len(words) > 1:
        words[-1] = STREET_TYPES.get(words[-1], words[-1])
    return " ".join(words)


def town_key(town: str) -> str:
    return re.sub(r"[^a-z0-9 ]", "", collapse(town).lower())


def parse_house_number(text: str) -> tuple[str, int | None]:
    """("12a") -> ("12A", 12): the tidy spelling and the number the reference ranges are about."""
    tidy = collapse(text).upper()
    found = HOUSE_NUMBER_RE.match(tidy)
    if not found:
        return tidy, None
    number = int(found.group(1))
    return f"{number}{found.group(2)}", number


# --- describing segments -------------------------------------------------------------------


def describe_range(segment: Street) -> str:
    """ "1 to 99", or "odd numbers 1 to 45" for a segment that holds one side of the street."""
    span = f"{segment.first_number} to {segment.last_number}"
    if segment.parity == Street.Parity.ALL:
        return span
    return f"{segment.get_parity_display().lower()} {span}"


def describe_numbers(segments: Sequence[Street], place: str = "") -> str:
    """ "Church Lane has odd numbers 1 to 45 and even numbers 2 to 44"; place as in "The Green in Oakhurst"."""
    several_towns = len({s.district.town for s in segments}) > 1
    parts = []
    for segment in segments:
        part = describe_range(segment)
        if segment.parity == Street.Parity.ALL and not parts:
            part = f"numbers {part}"
        if several_towns:
            part = f"{part} ({segment.district.town})"
        parts.append(part)
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    where = f" in {place}" if place else ""
    return f"{segments[0].name}{where} has {listed}"


def suggestion_for(segment: Street, house_number: str = "") -> AddressSuggestion:
    town = segment.district.town
    if house_number:
        label = f"{house_number} {segment.name}, {town} {segment.postcode}"
    else:
        label = f"{segment.name} ({describe_range(segment)}), {town} {segment.postcode}"
    return AddressSuggestion(
        street=segment.name, house_number=house_number, postcode=segment.postcode, town=town, label=label
    )


def nearest_numbers(segments: Iterable[Street], number: int, count: int = NEAREST_NUMBERS) -> list[AddressSuggestion]:
    """The valid addresses whose numbers are closest to `number` on these segments."""
    found: dict[tuple[int, str], Street] = {}
    for segment in segments:
        closest = min(max(number, segment.first_number), segment.last_number)
        # Two either side of the clamped number covers odd/even segments, which hold every other one.
        for candidate in range(closest - 2, closest + 3):
            if candidate > 0 and segment.holds(candidate):
                found.setdefault((candidate, segment.postcode), segment)
    ranked = sorted(found.items(), key=lambda item: (abs(item[0][0] - number), item[0][0]))
    return [suggestion_for(segment, str(candidate)) for (candidate, _), segment in ranked[:count]]


def suggestions_on(segments: Iterable[Street], number: int | None, house_number: str) -> list[AddressSuggestion]:
    """What to offer on these segments: the number where it exists, else the nearest valid ones."""
    segments = list(segments)
    if number is None:
        return [suggestion_for(s) for s in segments]
    holders = [s for s in segments if s.holds(number)]
    if holders:
        return [suggestion_for(s, house_number) for s in holders]
    return nearest_numbers(segments, number, count=1)


def unique(suggestions: Iterable[AddressSuggestion], limit: int = MAX_SUGGESTIONS) -> list[AddressSuggestion]:
    result: list[AddressSuggestion] = []
    for suggestion in suggestions:
        if suggestion not in result:
            result.append(suggestion)
        if len(result) == limit:
            break
    return result


# --- queries -------------------------------------------------------------------------------


def street_names() -> dict[str, list[str]]:
    """Every street name, grouped by street_key (one query; the reference data is small)."""
    names: dict[str, list[str]] = {}
    # order_by() replaces the model ordering, which would add first_number to the DISTINCT.
    for name in Street.objects.order_by("name").values_list("name", flat=True).distinct():
        names.setdefault(street_key(name), []).append(name)
    return names


def fetch_segments(
    names: Iterable[str] = (),
    postcode_prefix: str = "",
    *,
    exact_postcode: bool = True,
    area: str = "",
    town: str = "",
) -> list[Street]:
    """Segments with one of these names, in this (compact) postcode, in this postcode area (see
    postcode_area) or in this town or village (by town or district name), with their districts: one query."""
    names = list(names)
    if not names and not postcode_prefix and not area and not town:
        return []
    segments = Street.objects.select_related("district")
    condition = Q(name__in=names)
    if postcode_prefix or area:
        # Compare compact forms, so a postcode typed into the back office without its space still matches.
        segments = segments.annotate(compact_postcode=Upper(Replace("postcode", Value(" "), Value(""))))
    if postcode_prefix:
        lookup = "compact_postcode" if exact_postcode else "compact_postcode__startswith"
        condition |= Q(**{lookup: postcode_prefix})
    if area:
        condition |= Q(compact_postcode__startswith=area)
    if town:
        condition |= Q(district__town__iexact=town) | Q(district__name__iexact=town)
    return list(segments.filter(condition).order_by("name", "district__town", "first_number"))


def postcode_area(postcode: str) -> str:
    """Where to look for streets when a postcode names none we know: the outward code of a full postcode
    ("RV7 9ZZ" -> "RV7"), or a partly typed one as it is ("RV7 1" -> "RV71"); "" for anything else."""
    compact = compact_postcode(postcode)
    if POSTCODE_RE.match(compact):
        return compact[:-3]
    return compact if POSTCODE_PREFIX_RE.match(compact) else ""


def in_area(segment: Street, area: str) -> bool:
    """Whether a segment's postcode lies in this area ("RV1" holds RV1 2LL but not RV10 1AA)."""
    compact = compact_postcode(segment.postcode)
    return bool(area) and compact.startswith(area) and len(area) >= len(compact) - 3


def place_suggestions(
    segments: Iterable[Street], *, area: str = "", town: str = "", number: int | None = None, house_number: str = ""
) -> list[AddressSuggestion]:
    """The streets of a postcode area or a town or village, for a street we do not know: those in the
    postcode area first, then the town's; with the house number where the street has it."""
    wanted_town = town_key(town)
    in_postcode_area = [s for s in segments if in_area(s, area)]
    in_town = [
        s
        for s in segments
        if wanted_town
        and wanted_town in (town_key(s.district.town), town_key(s.district.name))
        and s not in in_postcode_area
    ]
    place = in_postcode_area + in_town
    if number is not None:
        # Of a street split by parity, only the side that has the number.
        holding = {s.name for s in place if s.holds(number)}
        place = [s for s in place if s.holds(number) or s.name not in holding]
    return [suggestion_for(s, house_number if number is not None and s.holds(number) else "") for s in place]


def streets_in_place(*, postcode: str = "", town: str = "", house_number: str = "") -> list[AddressSuggestion]:
    """What to offer while an agent types a street we do not know: the streets of the postcode (its area
    when the postcode is not one we have) or of the town or village they typed. One query."""
    area = postcode_area(postcode)
    town = collapse(town)
    if not area and not town:
        return []
    tidy_number, number = parse_house_number(house_number)
    segments = fetch_segments(area=area, town=town)
    exact = [s for s in segments if compact_postcode(s.postcode) == compact_postcode(postcode)]
    if exact:
        segments = exact
    return unique(place_suggestions(segments, area=area, town=town, number=number, house_number=tidy_number))


def close_street_names(key: str, names: dict[str, list[str]], cutoff: float = STREET_CUTOFF) -> list[str]:
    """Reference names that look like a misspelling of `key`, best first."""
    keys = difflib.get_close_matches(key, list(names), n=5, cutoff=cutoff)
    return [name for close in keys for name in names[close]]


# --- validation ----------------------------------------------------------------------------


@dataclass
class _Entered:
    """The user's input, tidied, plus the keys it is matched on."""

    street: str
    house_number: str
    number: int | None
    postcode: str
    postcode_ok: bool
    town: str

    @classmethod
    def parse(cls, street: str, house_number: str, postcode: str, town: str) -> _Entered:
        tidy_number, number = parse_house_number(house_number)
        compact = compact_postcode(postcode)
        return cls(
            street=collapse(street),
            house_number=tidy_number,
            number=number,
            # Only something shaped like a postcode gets the space put back; anything else is shown as typed.
            postcode=format_postcode(compact) if POSTCODE_RE.match(compact) else collapse(postcode).upper(),
            postcode_ok=bool(POSTCODE_RE.match(compact)),
            town=collapse(town),
        )

    @property
    def compact_postcode(self) -> str:
        """The postcode to look up; "" when none was given or it cannot be a postcode."""
        return compact_postcode(self.postcode) if self.postcode_ok else ""

    def in_town(self, segment: Street) -> bool:
        """True when no town was given, or it names the segment's town or district."""
        wanted = town_key(self.town)
        return not wanted or wanted in (town_key(segment.district.town), town_key(segment.district.name))

    def in_postcode(self, segment: Street) -> bool:
        return bool(self.compact_postcode) and compact_postcode(segment.postcode) == self.compact_postcode

    def as_dict(self) -> dict[str, str]:
        return {"street": self.street, "house_number": self.house_number, "postcode": self.postcode, "town": self.town}


def check_address(*, street: str, house_number: str, postcode: str = "", town: str = "") -> AddressCheck:
    """Match an address against the reference data: errors per form field and suggestions if it does not."""
    entered = _Entered.parse(street, house_number, postcode, town)
    errors: dict[str, str] = {}
    if not entered.street:
        errors["street"] = "Enter the street."
    if not entered.house_number:
        errors["house_number"] = "Enter the house number."
    elif entered.number is None:
        errors["house_number"] = "Enter a house number such as 12 or 12A."
    if entered.postcode and not entered.postcode_ok:
        errors["postcode"] = f"{entered.postcode} is not a postcode; postcodes look like RV1 2LL."

    names = street_names() if entered.street else {}
    exact = names.get(street_key(entered.street), []) if entered.street else []
    close = [] if exact or not entered.street else close_street_names(street_key(entered.street), names)
    # A street we do not know still gets suggestions: the streets of the postcode area or village typed.
    unknown_street = bool(entered.street) and not exact
    area = postcode_area(entered.postcode) if unknown_street else ""
    segments = fetch_segments(
        exact + close, entered.compact_postcode, area=area, town=entered.town if unknown_street else ""
    )
    in_postcode = [s for s in segments if entered.in_postcode(s)]

    match: Street | None = None
    suggestions: list[AddressSuggestion]
    if exact:
        match, suggestions = _resolve([s for s in segments if s.name in exact], entered, errors)
    else:
        if entered.compact_postcode and not in_postcode:
            errors["postcode"] = f"We have no addresses in {entered.postcode}."
        if entered.street:
            place = entered.town or (entered.postcode if in_postcode else "") or "our address data"
            errors["street"] = f"No street called {entered.street} in {place}"
        lookalikes = [[s for s in segments if s.name == name] for name in close]

        def is_here(segment: Street) -> bool:
            """In the town or postcode area typed (anywhere, when neither was)."""
            if not entered.town and not area:
                return True
            return bool(entered.town) and entered.in_town(segment) or in_area(segment, area)

        # A right postcode narrows things down more than a similar-looking name; a lookalike in the
        # place typed comes before the place's other streets, and those before lookalikes elsewhere.
        here = [group for group in lookalikes if any(is_here(s) for s in group)]
        elsewhere = [group for group in lookalikes if group not in here]
        on = [suggestions_on(group, entered.number, entered.house_number) for group in [in_postcode, *here] if group]
        suggestions = [suggestion for group in on for suggestion in group]
        if unknown_street and not here:
            suggestions += place_suggestions(
                [s for s in segments if s.name not in close and s not in in_postcode],
                area=area,
                town=entered.town,
                number=entered.number,
                house_number=entered.house_number,
            )
        for group in elsewhere:
            suggestions += suggestions_on(group, entered.number, entered.house_number)

    if errors or match is None:
        return AddressCheck(
            is_valid=False,
            reference_street=None,
            normalised=entered.as_dict(),
            errors=errors or {"street": "This address is not in our address data."},
            suggestions=unique(suggestions),
        )
    return AddressCheck(
        is_valid=True,
        reference_street=match,
        normalised={
            "street": match.name,
            "house_number": entered.house_number,
            "postcode": match.postcode,
            "town": match.district.town,
        },
        technologies=list(match.district.technologies),
    )


def _resolve(
    segments: list[Street], entered: _Entered, errors: dict[str, str]
) -> tuple[Street | None, list[AddressSuggestion]]:
    """Pick the segment of a known street the address is on, adding an error per field that disagrees.

    Returns the segment (None when the address does not validate) and what to suggest instead.
    """
    name = segments[0].name
    number, house_number = entered.number, entered.house_number
    in_town = [s for s in segments if entered.in_town(s)]
    if number is None:
        pool = [s for s in segments if entered.in_postcode(s)] or in_town or segments
        return None, [suggestion_for(s) for s in pool]

    holders = [s for s in segments if s.holds(number)]
    postcode_holders = [s for s in holders if entered.in_postcode(s)]
    if postcode_holders:
        # Street, number and postcode agree, which pins the address down; only the town can be off.
        segment = postcode_holders[0]
        if not entered.in_town(segment):
            errors["town"] = f"{name}, {segment.postcode} is in {segment.district.town}."
            return None, [suggestion_for(segment, house_number)]
        return segment, []

    if not holders or (in_town and not any(s in in_town for s in holders)):
        pool = in_town or segments
        # Name the town only where it matters: when this street name exists in more than one.
        several_towns = len({s.district.town for s in segments}) > 1
        place = pool[0].district.town if several_towns and len({s.district.town for s in pool}) == 1 else ""
        errors["house_number"] = describe_numbers(pool, place)
        return None, nearest_numbers(pool, number)

    town_holders = [s for s in holders if s in in_town]
    if not town_holders:
        towns = " and ".join(sorted({s.district.town for s in holders}))
        errors["town"] = f"There is no {name} in {entered.town}; {name} is in {towns}."
        return None, [suggestion_for(s, house_number) for s in holders]
    if entered.postcode:
        if entered.postcode_ok:
            right = " or ".join(sorted({s.postcode for s in town_holders}))
            errors["postcode"] = f"The postcode for {house_number} {name} is {right}."
        return None, [suggestion_for(s, house_number) for s in town_holders]
    if len({s.district.town for s in town_holders}) > 1:
        towns = " and in ".join(sorted({s.district.town for s in town_holders}))
        errors["town"] = f"{name} is in {towns}: enter the town or the postcode."
        return None, [suggestion_for(s, house_number) for s in town_holders]
    return town_holders[0], []


def validate_and_attach(address: Address) -> AddressCheck:
    """Check an Address and record the outcome on it (without saving; the caller saves).

    Valid: the reference spelling replaces the typed one and reference_street and validated_at
    are set. Invalid: both are cleared, so a changed address never keeps a stale match.
    """
    check = check_address(
        street=address.street, house_number=address.house_number, postcode=address.postcode, town=address.town
    )
    if check.is_valid:
        for name in ADDRESS_FIELDS:
            setattr(address, name, check.normalised[name])
        address.reference_street = check.reference_street
        address.validated_at = timezone.now()
    else:
        address.reference_street = None
        address.validated_at = None
    return check


# --- completion ----------------------------------------------------------------------------


def complete_address(query: str, limit: int = MAX_SUGGESTIONS) -> list[AddressSuggestion]:
    """Addresses for a partly typed query: "12 mill", "mill la", "RV1 2", "harbour way 5", "12 rv1 2ll".

    A house number may lead or trail; without one the suggestions are whole street segments
    (house_number ""). With one, only segments that hold it are offered.
    """
    text = collapse((query or "").replace(",", " "))
    if not text or limit <= 0:
        return []
    if POSTCODE_PREFIX_RE.match(compact_postcode(text)):
        return _complete_postcode(compact_postcode(text), None, "", limit)

    words = text.split()
    house_number, number = "", None
    for position in (0, -1):
        if len(words) > 1 or position == 0:
            tidy, parsed = parse_house_number(words[position])
            if parsed is not None:
                house_number, number = tidy, parsed
                words.pop(position)
                break
    if not words:
        return []
    rest = " ".join(words)
    if POSTCODE_PREFIX_RE.match(compact_postcode(rest)):
        return _complete_postcode(compact_postcode(rest), number, house_number, limit)
    return _complete_street(rest, number, house_number, limit)


def _complete_postcode(prefix: str, number: int | None, house_number: str, limit: int) -> list[AddressSuggestion]:
    segments = sorted(fetch_segments(postcode_prefix=prefix, exact_postcode=False), key=lambda s: s.postcode)
    if number is not None:
        return unique((suggestion_for(s, house_number) for s in segments if s.holds(number)), limit)
    return unique((suggestion_for(s) for s in segments), limit)


def _complete_street(text: str, number: int | None, house_number: str, limit: int) -> list[AddressSuggestion]:
    names = street_names()
    # The unexpanded form too: a half-typed "the gr" is heading for The Green, not The Grove.
    typed = {street_key(text), street_key(text, expand=False)}
    ranked: list[tuple[int, float, str]] = []
    for key in names:
        if any(key.startswith(t) for t in typed):
            ranked.append((0, 0.0, key))
        elif any(re.search(rf"\b{re.escape(t)}", key) for t in typed):
            ranked.append((1, 0.0, key))
    if not ranked:
        # Typos: compare with the start of each name as well, as the user may not have finished typing.
        for key in names:
            score = max(_similarity(t, key) for t in typed)
            if score >= COMPLETION_CUTOFF:
                ranked.append((2, -score, key))
    ranked.sort()
    wanted = [name for _, _, key in ranked[:COMPLETION_NAME_LIMIT] for name in names[key]]
    segments = fetch_segments(wanted)
    order = {name: position for position, name in enumerate(wanted)}
    segments.sort(key=lambda s: (order[s.name], s.district.town, s.first_number))
    if number is not None:
        return unique((suggestion_for(s, house_number) for s in segments if s.holds(number)), limit)
    return unique((suggestion_for(s) for s in segments), limit)


def _similarity(typed: str, key: str) -> float:
    """How alike a half-typed street and a name are, also comparing against the name's start."""
    return max(
        difflib.SequenceMatcher(None, typed, key).ratio(),
        difflib.SequenceMatcher(None, typed, key[: len(typed)]).ratio(),
    )
