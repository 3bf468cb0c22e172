"""The English catalogue is complete: every string translated, none fuzzy (fuzzy ones are ignored)."""

import re
from pathlib import Path

from django.conf import settings

PO = Path(settings.BASE_DIR) / "anjian" / "locale" / "en" / "LC_MESSAGES" / "django.po"
STRING = re.compile(r'"(.*)"')


def _entries() -> list[dict]:
    """Each entry's flags and its msgid / msgstr values (continuation lines joined)."""
    entries = []
    for block in PO.read_text(encoding="utf-8").split("\n\n")[1:]:
        entry: dict = {"flags": "", "values": {}}
        key = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] += line
            elif line.startswith(("msgid", "msgstr")):
                key, _, rest = line.partition(" ")
                entry["values"][key] = STRING.match(rest).group(1)
            elif line.startswith('"') and key:
                entry["values"][key] += STRING.match(line).group(1)
        if entry["values"]:
            entries.append(entry)
    return entries


def test_english_catalogue_is_complete():
    entries = _entries()
    assert len(entries) > 400
    untranslated = [
        e["values"]["msgid"] for e in entries if any(v == "" for k, v in e["values"].items() if k.startswith("msgstr"))
    ]
    fuzzy = [e["values"]["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert not untranslated
    assert not fuzzy
