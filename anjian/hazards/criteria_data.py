"""Major-hazard criteria (重大事故隐患判定标准) every installation starts with.

The rows, in anjian/hazards/data/major_hazard_criteria.json, paraphrase in our own words the
situations of 应急管理部令第10号《工贸企业重大事故隐患判定标准》 (in force 2023-05-15), grouped as
the standard groups them: article 3 applies to every industry and trade enterprise (安全管理),
articles 4–10 to one industry each (冶金、有色、建材、机械、轻工、纺织、烟草; 商贸 is named in the
scope but has no article of its own), articles 11–13 to three special fields (粉尘防爆、液氨制冷、
有限空间作业).

They are paraphrases, not the official text: check each against the standard before relying on it.
An administrator can edit the table (wording, new rows, ``active`` off for a withdrawn rule) without
code. Codes number our rows within a field in the article's order; ``TO_VERIFY`` names the rows
whose wording is least certain and ``MISSING`` the situations not yet in the table.
"""

from __future__ import annotations

from anjian.core.starter_data import read_data

_DATA = read_data("anjian.hazards", "major_hazard_criteria.json")
STANDARD: str = _DATA["standard"]

# The fields (领域) of the standard, as the rows name them.
MANAGEMENT = "安全管理"
METALLURGY = "冶金"
NONFERROUS = "有色"
BUILDING_MATERIALS = "建材"
MACHINERY = "机械"
LIGHT_INDUSTRY = "轻工"
TEXTILES = "纺织"
TOBACCO = "烟草"
DUST = "粉尘防爆"
AMMONIA = "液氨制冷"
CONFINED_SPACE = "有限空间作业"

# (code, field, text)
CRITERIA: list[tuple[str, str, str]] = [(row["code"], row["field"], row["text"]) for row in _DATA["criteria"]]

# Rows whose wording is the least certain: compare these with the standard first.
TO_VERIFY: tuple[str, ...] = tuple(_DATA["to_verify"])

# Situations of the standard not yet in the table (the standard counts 64), per field.
MISSING: dict[str, int] = _DATA["missing"]


def rows() -> list[dict[str, str]]:
    return [{"code": code, "standard": STANDARD, "field": field, "text": text} for code, field, text in CRITERIA]


def load_criteria(MajorHazardCriterion) -> int:
    """Create or refresh every row by code (idempotent). Takes the model class, so a migration can
    pass its historical model. ``active`` is left as an administrator set it. Returns the count."""
    for row in rows():
        MajorHazardCriterion.objects.update_or_create(
            code=row["code"], defaults={"standard": row["standard"], "field": row["field"], "text": row["text"]}
        )
    return len(CRITERIA)
