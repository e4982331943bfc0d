"""User-visible words: every label has a Chinese and an English twin; money always carries its unit."""
import math
import re

import pytest

from lib import i18n


def test_every_text_has_both_languages():
    for key, pair in i18n.TEXT.items():
        assert isinstance(pair, tuple) and len(pair) == 2, key
        zh, en = pair
        assert zh.strip(), key
        # English may be empty only for a Chinese counter suffix (个, 项): English has none
        assert en.strip() or len(zh.strip()) == 1, key
        # Chinese text, unless the word is the same in both (a language's own name, a unit like "pp")
        # or the text is only placeholders and punctuation ("{field}:{detail}")
        bare = re.sub(r"\{[a-z_0-9]*(:[^}]*)?\}", "", zh)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in zh) or zh == en or not any(c.isalpha() for c in bare), \
            f"{key}: zh text has no Chinese"


def test_every_enum_has_both_languages_and_unique_words():
    for kind, mapping in i18n.ENUMS.items():
        zh_words = [zh for zh, _ in mapping.values()]
        assert len(zh_words) == len(set(zh_words)), kind
        lookup = i18n.enum_lookup(kind)
        for key, (zh, en) in mapping.items():
            assert lookup[zh] == key and lookup[en.lower()] == key and lookup[key] == key
            assert i18n.enum_label(kind, key) == zh and i18n.enum_label(kind, key, "en") == en


def test_model_enumerations_are_translated():
    from lib.rules import settings
    from lib.store import models

    pairs = [("library", models.LIBRARIES), ("nature", models.NATURES), ("level", models.LEVELS),
             ("approval", models.APPROVAL_STATES), ("approval_field", models.APPROVAL_FIELDS),
             ("fund_source", models.FUND_SOURCES), ("problem_category", models.PROBLEM_CATEGORIES),
             ("problem_level", models.PROBLEM_LEVELS), ("problem_status", models.PROBLEM_STATUSES),
             ("role", models.ROLES), ("light", models.LIGHTS), ("region_kind", models.REGION_KINDS),
             ("setting", settings.THRESHOLD_KEYS), ("metric", tuple(settings.DEFAULTS["weights"]))]
    for kind, keys in pairs:
        assert set(i18n.ENUMS[kind]) == set(keys), kind


@pytest.mark.parametrize("wan,unit,lang,expected", [
    (1234.4, "auto", "zh", "1,234万元"),
    (123456, "auto", "zh", "12.35亿元"),
    (10000, "auto", "zh", "1.00亿元"),
    (9999, "auto", "zh", "9,999万元"),
    (5000, "yi", "zh", "0.50亿元"),
    (123456, "wan", "zh", "123,456万元"),
    (123456, "auto", "en", "12.35 100M CNY"),
])
def test_fmt_money(wan, unit, lang, expected):
    assert i18n.fmt_money(wan, lang, unit) == expected


def test_fmt_missing_values():
    assert i18n.fmt_money(None) == "—" and i18n.fmt_money(math.nan) == "—"
    assert i18n.fmt_pct(0.415) == "41.5%" and i18n.fmt_pct(None) == "—"
    assert i18n.fmt_pp(-23.456) == "-23.5个百分点" and i18n.fmt_pp(5, "en") == "+5.0 pp"


def test_light_colors_cover_every_light():
    from lib.store.models import LIGHTS

    assert set(i18n.LIGHT_COLORS) == set(LIGHTS)
