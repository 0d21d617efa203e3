"""Every user-facing string has a Russian translation, and the compiled catalog matches its source."""

import gettext
import re
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[2] / "locale"
ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def unescape(quoted_lines: str) -> str:
    joined = "".join(re.findall(r'"(.*)"', quoted_lines))
    return re.sub(r"\\(.)", lambda match: ESCAPES.get(match.group(1), match.group(0)), joined)


def catalog_entries(language: str) -> list[dict]:
    text = (LOCALE / language / "LC_MESSAGES" / "django.po").read_text()
    entries = []
    for block in text.split("\n\n")[1:]:
        msgid = re.search(r'^msgid ((?:".*"\n)+)', block + "\n", re.M)
        if not msgid:
            continue
        context = re.search(r'^msgctxt ((?:".*"\n)+)', block + "\n", re.M)
        translations = re.findall(r'^msgstr(?:\[\d\])? ((?:".*"\n?)+)', block + "\n", re.M)
        entries.append(
            {
                "msgid": unescape(msgid.group(1)),
                "context": unescape(context.group(1)) if context else None,
                "translations": [unescape(part) for part in translations],
                "plural": "msgid_plural" in block,
                "fuzzy": "fuzzy" in block,
            }
        )
    return entries


def test_russian_catalog_translates_every_string_without_fuzzy_guesses():
    entries = catalog_entries("ru")

    assert entries
    assert [entry["msgid"] for entry in entries if not all(entry["translations"])] == []
    assert [entry["msgid"] for entry in entries if entry["fuzzy"]] == []


def test_compiled_russian_catalog_is_up_to_date():
    with (LOCALE / "ru" / "LC_MESSAGES" / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)

    stale = [
        entry["msgid"]
        for entry in catalog_entries("ru")
        if not entry["plural"] and _compiled_text(compiled, entry) != entry["translations"][0]
    ]
    assert stale == [], "run `make messages` to recompile the catalog"


def _compiled_text(compiled: gettext.GNUTranslations, entry: dict) -> str:
    if entry["context"] is None:
        return compiled.gettext(entry["msgid"])
    return compiled.pgettext(entry["context"], entry["msgid"])
