"""The words people read, through gettext.

Every message a person reads (API errors, pages, mail) is written as ``_("...")`` or
``ngettext(...)`` from this module, so that translating the forum is adding a catalog, not
rewriting code. Until catalogs exist the translations are Python's ``NullTranslations``: the
English text as written.
"""

from __future__ import annotations

import gettext

translations: gettext.NullTranslations = gettext.NullTranslations()


def _(message: str) -> str:
    return translations.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations.ngettext(singular, plural, n)
