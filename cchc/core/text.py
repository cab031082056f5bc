"""Vietnamese text: name normalisation, collation keys and search keys.

``sort_key`` follows the CLDR Vietnamese order (a < ă < â, d < đ, e < ê, o < ô < ơ,
u < ư; tones only a secondary difference, case a tertiary one). The key is made of the
characters ``0-9`` only, so ``ORDER BY sort_key`` gives the same order on SQLite
(binary collation) and on PostgreSQL under any locale: linguistic collations ignore
spaces and punctuation at the first level, but never reorder a string of digits.
"""

from __future__ import annotations

import re
import unicodedata

# Vietnamese alphabet, with the four Latin letters it does not use placed where CLDR
# puts them (f after e/ê, j after i, w after v, z after y).
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
# Two-digit primary codes: 00 ends the primary part, 01 separates words, 02-11 digits,
# then the letters in Vietnamese order.
_END = "00"
_SPACE = "01"
_PRIMARY: dict[str, str] = {str(d): f"{2 + d:02d}" for d in range(10)}
_PRIMARY.update({ch: f"{12 + i:02d}" for i, ch in enumerate(_ALPHABET)})

# Combining marks after NFD: the five tones (CLDR order: none, huyền, hỏi, ngã, sắc,
# nặng) and the three vowel-quality marks that make distinct letters.
_TONES = {"\u0300": "1", "\u0309": "2", "\u0303": "3", "\u0301": "4", "\u0323": "5"}
_QUALITY = {"\u0306", "\u0302", "\u031b"}

_SPACES = re.compile(r"\s+")
_SEPARATORS = re.compile(r"[\s\-–—_/,.;:()\[\]\"'“”‘’]+")
_MAX_KEY = 400

# Old tone placement (hoà, thuỷ) vs the placement the official lists use (hòa, thủy):
# in a syllable ending in oa, oe or uy, the tone moves to the first vowel. After ``q`` the
# ``u`` belongs to the consonant (quý), so ``quy`` is left alone.
_OLD_TONE = re.compile(r"(?<![qQ])([oOuU])([aAeEyY])([\u0300\u0301\u0303\u0309\u0323])(?![^\W\d_])")


def normalize_name(text: str) -> str:
    """NFC, whitespace collapsed and stripped: ``"Xã  Vi Hương "`` → ``"Xã Vi Hương"``."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def unify_tones(text: str) -> str:
    """Place tones as official lists do: ``hoà`` → ``hòa``, ``thuỷ`` → ``thủy``.

    Syllables continuing after the pair (``hoàn``, ``khuyến``) and ``quy`` are unchanged.
    """
    decomposed = unicodedata.normalize("NFD", text)
    # In NFD a vowel's quality mark (if any) precedes its tone; oa/oe/uy have none on
    # their second vowel, so the pattern only needs the base letter then the tone.
    moved = _OLD_TONE.sub(lambda m: m[1] + m[3] + m[2], decomposed)
    return unicodedata.normalize("NFC", moved)


def _letters(text: str) -> list[tuple[str, str, bool]]:
    """Split into (base letter with its quality marks, tone digit, is upper case)."""
    out: list[tuple[str, str, bool]] = []
    for ch in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", ch)
        base = parts[0]
        quality = "".join(m for m in parts[1:] if m in _QUALITY)
        tone = next((_TONES[m] for m in parts[1:] if m in _TONES), "0")
        letter = unicodedata.normalize("NFC", base.lower() + quality)
        out.append((letter, tone, base.isupper()))
    return out


def sort_key(name: str) -> str:
    """A digits-only key ordering names as CLDR Vietnamese does.

    Layout: primary codes (two digits per letter or digit, ``01`` between words), ``00``,
    then one tone digit per letter, then one case digit per letter. Other characters
    (hyphens, brackets) separate words; letters outside Vietnamese sort after ``z``.
    """
    words = [w for w in _SEPARATORS.split(unify_tones(normalize_name(name))) if w]
    primary: list[str] = []
    tones: list[str] = []
    cases: list[str] = []
    for index, word in enumerate(words):
        if index:
            primary.append(_SPACE)
        for letter, tone, upper in _letters(word):
            code = _PRIMARY.get(letter)
            if code is None:
                folded = search_key(letter)
                code = _PRIMARY.get(folded[:1], "99") if folded else "99"
            primary.append(code)
            tones.append(tone)
            cases.append("1" if upper else "0")
    return ("".join(primary) + _END + "".join(tones) + "".join(cases))[:_MAX_KEY]


def strip_diacritics(text: str) -> str:
    """Remove every combining mark and turn đ/Đ into d/D."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def search_key(text: str) -> str:
    """Fold for matching: NFC, tones unified and stripped, đ→d, case folded, spaces collapsed.

    ``"Xã  Vi Hương"`` → ``"xa vi huong"``; ``"Hoà"`` and ``"Hòa"`` both give ``"hoa"``.
    """
    folded = strip_diacritics(unify_tones(normalize_name(text))).casefold()
    return _SPACES.sub(" ", _SEPARATORS.sub(" ", folded)).strip()[:_MAX_KEY]


# Kind words as they start a unit's name, longest first so "thi xa" wins over "thi".
KIND_WORDS = (
    "thanh pho",
    "thi tran",
    "thi xa",
    "dac khu",
    "phuong",
    "huyen",
    "quan",
    "tinh",
    "xa",
)


def strip_kind(key: str) -> str:
    """Drop one leading kind word from a search key: ``"xa vi huong"`` → ``"vi huong"``.

    The word is kept when nothing would remain (a unit named just "Phường").
    """
    folded = search_key(key)
    for word in KIND_WORDS:
        if folded.startswith(word + " "):
            return folded[len(word) + 1 :]
    return folded


def matches(query: str, name: str) -> bool:
    """Whether a typed query finds a name, kind words being optional on both sides."""
    wanted = strip_kind(query)
    return bool(wanted) and wanted in search_key(name)
