"""The English catalogue is complete: every string translated, none fuzzy (fuzzy ones are ignored)."""

from pathlib import Path

from django.conf import settings

PO = Path(settings.BASE_DIR) / "anjian" / "locale" / "en" / "LC_MESSAGES" / "django.po"


def _entries():
    for block in PO.read_text(encoding="utf-8").split("\n\n")[1:]:
        lines = [line for line in block.splitlines() if line.strip()]
        if lines and not all(line.startswith("#~") for line in lines):
            yield block


def test_english_catalogue_is_complete():
    untranslated = [b for b in _entries() if b.rstrip().endswith('msgstr ""') or 'msgstr[1] ""' in b]
    fuzzy = [b for b in _entries() if "#, fuzzy" in b]
    assert not untranslated, untranslated[:3]
    assert not fuzzy, fuzzy[:3]

