"""Dates as the product writes them in British English: "5 Dec 2026", "5 Dec 2026 14:05".

Django's en_GB formats, except that a moment is written with the 24-hour clock and no comma, as the
console's pages write it; everything not named here (input formats, month names) stays Django's.
The back office's read-only fields use these (django.utils.formats), so every admin page agrees.
"""

DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y H:i"
