"""Small text helpers shared by apps."""

import re

from django.utils.text import slugify

_RUSSIAN_TO_LATIN = str.maketrans(
    {
        "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
        "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
        "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "",
        "э": "e", "ю": "yu", "я": "ya", "і": "i", "ї": "yi", "є": "ye", "ґ": "g",
    }
)  # fmt: skip
_CYRILLIC = re.compile(r"[А-Яа-яЁё]")


def latin_slug(text: str, *, max_length: int = 40) -> str:
    """A URL- and callback-safe slug; Cyrillic is transliterated rather than dropped ('Кайли' -> 'kayli')."""
    slug = slugify(text.lower().translate(_RUSSIAN_TO_LATIN))
    return slug[:max_length].strip("-")


def has_cyrillic(text: str) -> bool:
    return bool(_CYRILLIC.search(text))


def truncate(text: str, limit: int, *, ellipsis: str = "…") -> str:
    """Cut at a word boundary so the result, ellipsis included, fits `limit` characters."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ellipsis)]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,.;:—-") + ellipsis
