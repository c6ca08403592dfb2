"""ISO 3166-1 alpha-2 country codes: the values an address's `country` may take.

Every officially assigned code (249; Debian's iso-codes 3166-1 list). web/js/countries.js offers the
same codes, with names, in the address forms; tests/unit/test_countries.py keeps the two equal.
"""

from __future__ import annotations

from typing import Annotated, Final

from pydantic import AfterValidator, Field

_ASSIGNED = (
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ "
    "BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM "
    "DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS "
    "GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN "
    "KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ "
    "MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM "
    "PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV "
    "SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI "
    "VN VU WF WS YE YT ZA ZM ZW"
)
COUNTRY_CODES: Final[frozenset[str]] = frozenset(_ASSIGNED.split())


def country_code(value: str) -> str:
    """`value` upper-cased, if it is an assigned alpha-2 code; ValueError (a 422 naming the field) if not."""
    code = value.strip().upper()
    if code not in COUNTRY_CODES:
        raise ValueError("must be an ISO 3166-1 alpha-2 country code, such as US or DE")
    return code


CountryCode = Annotated[
    str,
    Field(pattern=r"^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2, such as US"),
    AfterValidator(country_code),
]
