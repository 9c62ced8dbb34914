"""Fill a .po catalogue from {msgid: msgstr} tables and report what is still untranslated.

Usage: python tools/translate.py en    (reads every tools/translations/*_en.py, each defining a dict T)
Run after `make messages`, then compile with `atout compilemessages`. Developer tool (needs polib, in
the `dev` extra): the committed .po/.mo files are what the application uses.
"""

import runpy
import sys
from pathlib import Path

import polib

lang = sys.argv[1]
table = {}
for source in sorted((Path(__file__).parent / "translations").glob(f"*_{lang}.py")):
    table.update(runpy.run_path(str(source))["T"])
path = Path(__file__).resolve().parents[1] / f"src/atout/locale/{lang}/LC_MESSAGES/django.po"
po = polib.pofile(str(path))
for entry in po:
    if entry.msgid in table:
        value = table[entry.msgid]
        if entry.msgid_plural:
            # Plural entries take (singular, plural).
            singular, plural = value if isinstance(value, tuple) else (value, value)
            entry.msgstr_plural = {0: singular, 1: plural}
        else:
            entry.msgstr = value
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
po.metadata_is_fuzzy = False
po.metadata["Language"] = lang
po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
po.save()
missing = [e.msgid for e in po if e.msgid and not (e.msgstr or any(e.msgstr_plural.values()))]
print(f"{lang}: {len(po) - len(missing)} translated, {len(missing)} missing")
for msgid in missing:
    print("  missing:", msgid)
sys.exit(1 if missing else 0)
