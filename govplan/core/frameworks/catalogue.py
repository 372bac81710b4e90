"""The national indicator catalogue: stable codes, types, units, disaggregations, and the
mappings that carry a series across a change of definition (level 4 → toàn trình)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from govplan.core.frameworks.fields import CODE_RE, OPTION_RE, Reader
from govplan.core.frameworks.problems import Collector, join
from govplan.core.frameworks.vocab import CATALOGUE_FORMAT, VALUE_TYPES
from govplan.core.i18n import gettext_noop

# How a merged unit's figure is formed from its predecessors' (docs/national-figures.md).
MERGE_METHODS = ("sum", "mean")


@dataclass(frozen=True, slots=True)
class Option:
    code: str
    title: str
    title_en: str = ""


@dataclass(frozen=True, slots=True)
class Dimension:
    code: str
    title: str
    title_en: str
    options: tuple[Option, ...]

    def option_codes(self) -> tuple[str, ...]:
        return tuple(o.code for o in self.options)


@dataclass(frozen=True, slots=True)
class Part:
    label: str
    label_en: str = ""


@dataclass(frozen=True, slots=True)
class Mapping:
    indicator: str
    options: dict[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Indicator:
    code: str
    name: str
    name_en: str
    type: str
    unit: str = ""
    definition: str = ""
    disaggregation: tuple[str, ...] = ()
    numerator: Part | None = None
    denominator: Part | None = None
    choices: tuple[Option, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    maps_from: Mapping | None = None
    share: bool = True  # a ratio whose numerator is part of its denominator (≤ it)
    # How a merged unit's figure comes from its predecessors' on a national figure: "sum"
    # (counts, amounts; ratios by their parts) or "mean" (an index averaged over them).
    merge_method: str = "sum"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Indicator:
        return cls(
            code=data["code"],
            name=data["name"],
            name_en=data.get("name_en", ""),
            type=data["type"],
            unit=data.get("unit", ""),
            definition=data.get("definition", ""),
            disaggregation=tuple(data.get("disaggregation", ())),
            numerator=Part(**data["numerator"]) if data.get("numerator") else None,
            denominator=Part(**data["denominator"]) if data.get("denominator") else None,
            choices=tuple(Option(**o) for o in data.get("choices", ())),
            minimum=data.get("minimum"),
            maximum=data.get("maximum"),
            maps_from=Mapping(**data["maps_from"]) if data.get("maps_from") else None,
            share=data.get("share", True),
            merge_method=data.get("merge_method", "sum"),
        )


@dataclass(slots=True)
class Catalogue:
    dimensions: dict[str, Dimension] = field(default_factory=dict)
    indicators: dict[str, Indicator] = field(default_factory=dict)

    def cells(self, indicator: Indicator) -> list[tuple[str, ...]]:
        """Every combination of options of the indicator's dimensions, in catalogue order."""
        combos: list[tuple[str, ...]] = [()]
        for code in indicator.disaggregation:
            options = self.dimensions[code].option_codes()
            combos = [(*combo, option) for combo in combos for option in options]
        return combos

    def to_dict(self) -> dict[str, Any]:
        return {
            "dimensions": {k: asdict(v) for k, v in self.dimensions.items()},
            "indicators": {k: v.to_dict() for k, v in self.indicators.items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Catalogue:
        return cls(
            dimensions={
                k: Dimension(
                    code=v["code"],
                    title=v["title"],
                    title_en=v.get("title_en", ""),
                    options=tuple(Option(**o) for o in v["options"]),
                )
                for k, v in data.get("dimensions", {}).items()
            },
            indicators={k: Indicator.from_dict(v) for k, v in data.get("indicators", {}).items()},
        )


def read_options(r: Reader, path: str, value: Any) -> tuple[Option, ...]:
    """A list of {code, title, title_en} options: of a dimension, a choice indicator or column."""
    options: list[Option] = []
    seen: set[str] = set()
    for i, item in enumerate(r.listing(path, value, required=True)):
        p = join(path, i)
        m = r.mapping(p, item, required=("code", "title"), optional=("title_en",))
        if m is None:
            continue
        code = r.code(join(p, "code"), m.get("code"), OPTION_RE)
        if code in seen:
            r.c.add(join(p, "code"), gettext_noop('duplicate code "%(code)s"'), code=code)
        seen.add(code)
        options.append(
            Option(
                code,
                r.text(join(p, "title"), m.get("title")),
                r.text(join(p, "title_en"), m.get("title_en"), required=False),
            )
        )
    if not options and isinstance(value, list):
        r.c.add(path, gettext_noop("needs at least one option"))
    return tuple(options)


def parse_catalogue(data: Any) -> Catalogue:
    """Check a catalogue document; raise SpecError with every problem, or return it."""
    c = Collector()
    r = Reader(c)
    top = r.mapping("", data, required=("format", "indicators"), optional=("dimensions",))
    catalogue = Catalogue()
    if top is None:
        c.raise_if_any()
        return catalogue
    if top.get("format") not in (None, CATALOGUE_FORMAT):
        c.add("format", gettext_noop('must be "%(expected)s"'), expected=CATALOGUE_FORMAT)

    for i, item in enumerate(r.listing("dimensions", top.get("dimensions"))):
        p = join("dimensions", i)
        m = r.mapping(p, item, required=("code", "title", "options"), optional=("title_en",))
        if m is None:
            continue
        code = r.code(join(p, "code"), m.get("code"))
        dimension = Dimension(
            code=code,
            title=r.text(join(p, "title"), m.get("title")),
            title_en=r.text(join(p, "title_en"), m.get("title_en"), required=False),
            options=read_options(r, join(p, "options"), m.get("options")),
        )
        if code and code in catalogue.dimensions:
            c.add(join(p, "code"), gettext_noop('duplicate code "%(code)s"'), code=code)
        elif code:
            catalogue.dimensions[code] = dimension

    pending_maps: list[tuple[str, Indicator, dict[str, Any]]] = []
    for i, item in enumerate(r.listing("indicators", top.get("indicators"), required=True)):
        p = join("indicators", i)
        indicator = _indicator(r, p, item, catalogue)
        if indicator is None:
            continue
        if indicator.code in catalogue.indicators:
            c.add(join(p, "code"), gettext_noop('duplicate code "%(code)s"'), code=indicator.code)
            continue
        catalogue.indicators[indicator.code] = indicator
        if isinstance(item, dict) and item.get("maps_from") is not None:
            pending_maps.append((p, indicator, item["maps_from"]))

    for p, indicator, raw in pending_maps:
        mapping = _mapping(r, join(p, "maps_from"), raw, indicator, catalogue)
        if mapping is not None:
            catalogue.indicators[indicator.code] = _with_mapping(indicator, mapping)
    _check_mapping_cycles(c, catalogue)
    c.raise_if_any()
    return catalogue


def _with_mapping(indicator: Indicator, mapping: Mapping) -> Indicator:
    data = indicator.to_dict()
    data["maps_from"] = asdict(mapping)
    return Indicator.from_dict(data)


def _indicator(r: Reader, p: str, item: Any, catalogue: Catalogue) -> Indicator | None:
    m = r.mapping(
        p,
        item,
        required=("code", "name", "type"),
        optional=(
            "name_en",
            "unit",
            "definition",
            "disaggregation",
            "numerator",
            "denominator",
            "choices",
            "min",
            "max",
            "maps_from",
            "share",
            "merge_method",
        ),
    )
    if m is None:
        return None
    code = r.code(join(p, "code"), m.get("code"), CODE_RE)
    value_type = r.choice(join(p, "type"), m.get("type"), VALUE_TYPES, what="type")
    disaggregation: list[str] = []
    for j, dim in enumerate(r.listing(join(p, "disaggregation"), m.get("disaggregation"))):
        if not isinstance(dim, str) or dim not in catalogue.dimensions:
            r.c.add(
                join(join(p, "disaggregation"), j),
                gettext_noop('"%(code)s" is not a dimension of the catalogue'),
                code=dim,
            )
        elif dim in disaggregation:
            r.c.add(
                join(join(p, "disaggregation"), j),
                gettext_noop('"%(value)s" is listed twice'),
                value=dim,
            )
        else:
            disaggregation.append(dim)
    numerator = denominator = None
    share = r.boolean(join(p, "share"), m.get("share"), True)
    if m.get("share") is not None and value_type != "ratio":
        r.c.add(join(p, "share"), gettext_noop("only a ratio can say whether it is a share"))
    if value_type == "ratio":
        numerator = _part(r, join(p, "numerator"), m.get("numerator"))
        denominator = _part(r, join(p, "denominator"), m.get("denominator"))
    else:
        for key in ("numerator", "denominator"):
            if m.get(key) is not None:
                r.c.add(
                    join(p, key), gettext_noop("only a ratio has a numerator and a denominator")
                )
    merge_method = "sum"
    if m.get("merge_method") is not None:
        merge_method = r.choice(
            join(p, "merge_method"), m.get("merge_method"), MERGE_METHODS, what="merge method"
        )
        if value_type not in ("integer", "decimal", "money", "ratio"):
            r.c.add(
                join(p, "merge_method"),
                gettext_noop("only a number or a ratio can be merged by a method"),
            )
    choices: tuple[Option, ...] = ()
    if value_type == "choice":
        choices = read_options(r, join(p, "choices"), m.get("choices"))
    elif m.get("choices") is not None:
        r.c.add(join(p, "choices"), gettext_noop("only a choice indicator has choices"))
    minimum = r.number(join(p, "min"), m["min"]) if m.get("min") is not None else None
    maximum = r.number(join(p, "max"), m["max"]) if m.get("max") is not None else None
    if value_type in ("integer", "money", "ratio") and minimum is None:
        minimum = 0.0  # counts, money and ratio parts are never negative
    if not code or not value_type:
        return None
    return Indicator(
        code=code,
        name=r.text(join(p, "name"), m.get("name")),
        name_en=r.text(join(p, "name_en"), m.get("name_en"), required=False),
        type=value_type,
        unit=r.text(join(p, "unit"), m.get("unit"), required=False),
        definition=r.text(join(p, "definition"), m.get("definition"), required=False),
        disaggregation=tuple(disaggregation),
        numerator=numerator,
        denominator=denominator,
        choices=choices,
        minimum=minimum,
        maximum=maximum,
        share=share,
        merge_method=merge_method or "sum",
    )


def _part(r: Reader, path: str, value: Any) -> Part | None:
    m = r.mapping(path, value, required=("label",), optional=("label_en",))
    if m is None:
        return None
    return Part(
        r.text(join(path, "label"), m.get("label")),
        r.text(join(path, "label_en"), m.get("label_en"), required=False),
    )


def _mapping(
    r: Reader, path: str, value: Any, indicator: Indicator, catalogue: Catalogue
) -> Mapping | None:
    m = r.mapping(path, value, required=("indicator",), optional=("options",))
    if m is None:
        return None
    source_code = m.get("indicator")
    source = catalogue.indicators.get(str(source_code))
    if source is None:
        r.c.add(
            join(path, "indicator"),
            gettext_noop('"%(code)s" is not in the catalogue'),
            code=source_code,
        )
        return None
    if source.code == indicator.code:
        r.c.add(join(path, "indicator"), gettext_noop("an indicator cannot map from itself"))
        return None
    options: dict[str, str | None] = {}
    raw = m.get("options") or {}
    if not isinstance(raw, dict):
        r.c.add(join(path, "options"), gettext_noop("must be a mapping of keys and values"))
        return None
    old_options = {o for d in source.disaggregation for o in catalogue.dimensions[d].option_codes()}
    new_options = {
        o for d in indicator.disaggregation for o in catalogue.dimensions[d].option_codes()
    }
    for old, new in raw.items():
        p = join(join(path, "options"), str(old))
        if str(old) not in old_options:
            r.c.add(
                p,
                gettext_noop('"%(code)s" is not an option of %(indicator)s'),
                code=old,
                indicator=source.code,
            )
        elif new is not None and str(new) not in new_options:
            r.c.add(
                p,
                gettext_noop('"%(code)s" is not an option of %(indicator)s'),
                code=new,
                indicator=indicator.code,
            )
        else:
            options[str(old)] = None if new is None else str(new)
    return Mapping(indicator=source.code, options=options)


def _check_mapping_cycles(c: Collector, catalogue: Catalogue) -> None:
    for code in catalogue.indicators:
        seen = [code]
        current = catalogue.indicators[code].maps_from
        while current is not None:
            if current.indicator in seen:
                c.add(
                    f"indicators.{code}.maps_from",
                    gettext_noop("the maps_from chain loops: %(chain)s"),
                    chain=" → ".join([*seen, current.indicator]),
                )
                break
            seen.append(current.indicator)
            nxt = catalogue.indicators.get(current.indicator)
            current = nxt.maps_from if nxt else None
