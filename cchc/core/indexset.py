"""The index-set (bộ chỉ số) file format: pydantic models, YAML loading and validation.

A set is a tree of nodes (field → criterion → sub-criterion → …). YAML is loaded through
PyYAML's composed nodes so that every error names the file, the line and the criterion
code, in Vietnamese and English. ``docs/indexset.schema.json`` is generated from
:class:`IndexSetDef` (see :func:`json_schema`).
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import ErrorDetails

from cchc.core.rules import (
    RULE_TYPES,
    Dec,
    ManualRule,
    NotApplicable,
    Range,
    Rule,
    output_bounds,
)

ZERO = Decimal(0)


class SetKind(StrEnum):
    PAR = "PAR"
    DX = "DX"
    SERVICE = "SERVICE"
    OTHER = "OTHER"


class Display(StrEnum):
    """How the result is shown: 409,66 (points), 73,63 (percent) or 0,8002 (ratio)."""

    POINTS = "points"
    PERCENT = "percent"
    RATIO = "ratio"


class Method(StrEnum):
    SELF = "self"
    SURVEY = "survey"
    COMPUTED = "computed"
    DEDUCTION = "deduction"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LegalBasis(_Model):
    number: str = Field(min_length=1, description="Số, ký hiệu (e.g. 766/QĐ-TTg)")
    date: dt.date | None = None
    title: str = ""


class BandDef(_Model):
    code: str = Field(min_length=1)
    min_percent: Dec = Field(ge=0, description="inclusive lower bound, in percent")


DEFAULT_BANDS = (
    BandDef(code="A", min_percent=Decimal(90)),
    BandDef(code="B", min_percent=Decimal(80)),
)  # 2024 groups; below B a unit has no group. Older years had more bands: set them in data.


class MapsFrom(_Model):
    """How this node continues nodes of the previous version."""

    kind: Literal["same", "renamed", "split", "merged"]
    codes: list[str] = Field(min_length=1)


class Node(_Model):
    code: str = Field(min_length=1, max_length=64, pattern=r"^[\w.\-/]+$")
    label: str = Field(default="", max_length=32, description="STT as printed (I, 1, 1.1, a)")
    title: str = Field(min_length=1)
    max: Dec = Field(default=ZERO, ge=0)
    method: Method = Method.SELF
    cap: Dec | None = Field(default=None, gt=0, description="deduction/bonus: largest effect")
    bonus: bool = False
    rule: Rule | None = None
    kpi: str | None = Field(default=None, pattern=r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")
    evidence: str = ""
    guidance: str = ""
    to_verify: bool = Field(default=False, description="formula not confirmed by a source")
    maps_from: MapsFrom | None = None
    children: list[Node] = Field(default_factory=list)

    @property
    def is_leaf(self) -> bool:
        return not self.children

    @property
    def range(self) -> Range:
        if self.method == Method.DEDUCTION:
            cap = self.cap or ZERO
            return Range(ZERO, cap) if self.bonus else Range(-cap, ZERO)
        return Range(ZERO, self.max)

    @property
    def effective_rule(self) -> Rule:
        """The node's rule; leaves without one are scored by hand."""
        return self.rule if self.rule is not None else ManualRule()


class IndexSetDef(_Model):
    code: str = Field(min_length=1, max_length=64, pattern=r"^[\w.\-]+$")
    name: str = Field(min_length=1)
    kind: SetKind
    year: int = Field(ge=2000, le=2100)
    version: int = Field(default=1, ge=1)
    target_unit_kinds: list[str] = Field(default_factory=list)
    legal_basis: LegalBasis | None = None
    max_points: Dec = Field(gt=0)
    display: Display = Display.PERCENT
    display_precision: int = Field(default=2, ge=0, le=6)
    bands: list[BandDef] = Field(default_factory=lambda: list(DEFAULT_BANDS))
    sample: bool = Field(default=False, description="points not taken from a decision")
    previous: str | None = Field(default=None, description="code of the set mapped from")
    note: str = ""
    nodes: list[Node] = Field(min_length=1)

    def walk(self) -> Iterator[tuple[Node, Node | None, int]]:
        """Every node in document order with its parent and level (1 = field)."""
        stack: list[tuple[Node, Node | None, int]] = [(n, None, 1) for n in reversed(self.nodes)]
        while stack:
            node, parent, level = stack.pop()
            yield node, parent, level
            stack.extend((c, node, level + 1) for c in reversed(node.children))

    def by_code(self) -> dict[str, Node]:
        return {node.code: node for node, _p, _l in self.walk()}


def json_schema() -> str:
    """The JSON Schema of the YAML format, as committed in docs/indexset.schema.json."""
    schema = IndexSetDef.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "CCHC index set (bộ chỉ số)"
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


# -- errors --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Issue:
    """One problem of a set file, in both languages."""

    file: str
    line: int | None
    code: str | None
    vi: str
    en: str

    def __str__(self) -> str:
        place = self.file + (f":{self.line}" if self.line else "")
        who = f" {self.code}:" if self.code else ""
        return f"{place}:{who} {self.vi} / {self.en}"


class IndexSetError(ValueError):
    """A set file that cannot be used; ``issues`` lists every problem found."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues
        super().__init__("\n".join(str(i) for i in issues))


# -- YAML with line numbers ----------------------------------------------------------------

Path_ = tuple[str | int, ...]


class _Constructor(yaml.constructor.SafeConstructor):
    pass


def _scalar(constructor: _Constructor, node: yaml.ScalarNode) -> object:
    if node.tag == "tag:yaml.org,2002:float":
        # Keep points exact: 0.1 must not pass through a binary float.
        try:
            value = Decimal(node.value.replace("_", ""))
        except ArithmeticError:
            return node.value
        return value if value.is_finite() else node.value
    return constructor.construct_object(node)


def _convert(
    node: yaml.Node, path: Path_, lines: dict[Path_, int], constructor: _Constructor, file: str
) -> object:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[str, object] = {}
        for key_node, value_node in node.value:
            key = _scalar(constructor, key_node) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str):
                raise IndexSetError(
                    [
                        Issue(
                            file,
                            key_node.start_mark.line + 1,
                            None,
                            "khóa phải là chữ",
                            "keys must be text",
                        )
                    ]
                )
            if key in out:
                raise IndexSetError(
                    [
                        Issue(
                            file,
                            key_node.start_mark.line + 1,
                            None,
                            f"khóa '{key}' bị lặp",
                            f"duplicate key '{key}'",
                        )
                    ]
                )
            out[key] = _convert(value_node, (*path, key), lines, constructor, file)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [
            _convert(item, (*path, i), lines, constructor, file)
            for i, item in enumerate(node.value)
        ]
    assert isinstance(node, yaml.ScalarNode)
    return _scalar(constructor, node)


@dataclass(frozen=True)
class LoadedSet:
    definition: IndexSetDef
    lines: dict[Path_, int]
    file: str
    source: str

    def line_of(self, code: str) -> int | None:
        for node_path in _node_paths(self.definition.model_dump(mode="python")):
            path, node = node_path
            if node.get("code") == code:
                return self.lines.get(path)
        return None


def _node_paths(data: Mapping[str, Any]) -> Iterator[tuple[Path_, Mapping[str, Any]]]:
    """Nodes in document order with their paths."""
    stack: list[tuple[Path_, Mapping[str, Any]]] = [
        (("nodes", i), n) for i, n in enumerate(data.get("nodes") or []) if isinstance(n, Mapping)
    ]
    stack.reverse()
    while stack:
        path, node = stack.pop()
        yield path, node
        children = [
            ((*path, "children", i), child)
            for i, child in enumerate(node.get("children") or [])
            if isinstance(child, Mapping)
        ]
        stack.extend(reversed(children))


class _NoAliasLoader(yaml.SafeLoader):
    """Refuse anchors and aliases: an index set never needs them, and a self-referencing or
    exponentially nested alias would hang or crash the importer ("billion laughs")."""

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError(
                problem="không dùng tham chiếu YAML (alias *…) / YAML aliases are not allowed",
                problem_mark=event.start_mark,
            )
        return super().compose_node(parent, index)  # type: ignore[arg-type]


def read_yaml(text: str, file: str = "<text>") -> tuple[object, dict[Path_, int]]:
    """Parse YAML into plain data plus the line of every path."""
    # The same few shipped sets are read again and again (imports, demo, tests), and
    # parsing with line numbers is slow: parse each text once, hand out fresh copies.
    data, lines = _read_yaml_cached(text, file)
    return copy.deepcopy(data), dict(lines)


@functools.lru_cache(maxsize=32)
def _read_yaml_cached(text: str, file: str) -> tuple[object, dict[Path_, int]]:
    try:
        root = yaml.compose(text, Loader=_NoAliasLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or str(exc)
        raise IndexSetError(
            [Issue(file, line, None, f"YAML sai cú pháp: {problem}", f"YAML syntax: {problem}")]
        ) from exc
    except yaml.YAMLError as exc:
        raise IndexSetError(
            [Issue(file, None, None, f"YAML sai cú pháp: {exc}", f"YAML syntax: {exc}")]
        ) from exc
    if root is None:
        raise IndexSetError([Issue(file, 1, None, "tệp rỗng", "empty file")])
    lines: dict[Path_, int] = {}
    data = _convert(root, (), lines, _Constructor(), file)
    return data, lines


_VI_ERRORS = {
    "missing": "thiếu trường bắt buộc",
    "extra_forbidden": "trường không được phép",
    "decimal_parsing": "không phải là số",
    "decimal_type": "không phải là số",
    "int_parsing": "không phải là số nguyên",
    "int_type": "không phải là số nguyên",
    "int_from_float": "không phải là số nguyên",
    "greater_than": "phải lớn hơn",
    "greater_than_equal": "không được âm hoặc quá nhỏ",
    "less_than_equal": "quá lớn",
    "string_type": "phải là chữ",
    "string_too_short": "không được để trống",
    "string_pattern_mismatch": "có ký tự không hợp lệ",
    "literal_error": "giá trị không được phép",
    "enum": "giá trị không được phép",
    "list_type": "phải là danh sách",
    "too_short": "danh sách không được rỗng",
    "dict_type": "phải là bảng khóa: giá trị",
    "model_type": "phải là bảng khóa: giá trị",
    "bool_parsing": "phải là true/false",
    "date_from_datetime_parsing": "không phải ngày (yyyy-mm-dd)",
    "date_parsing": "không phải ngày (yyyy-mm-dd)",
    "date_type": "không phải ngày (yyyy-mm-dd)",
    "union_tag_not_found": "thiếu 'type' của quy tắc",
}


def _locate(
    loc: tuple[str | int, ...], data: object, lines: Mapping[Path_, int]
) -> tuple[Path_, str | None]:
    """Map a pydantic error location onto the data: the path and the criterion code."""
    path: Path_ = ()
    code: str | None = None
    current = data
    for part in loc:
        candidate = (*path, part)
        if candidate not in lines:
            continue  # a union tag or model name, not a key of the file
        path = candidate
        if isinstance(current, Mapping):
            current = current.get(part)  # type: ignore[call-overload]
        elif isinstance(current, list) and isinstance(part, int):
            current = current[part]
        if (
            isinstance(current, Mapping)
            and len(path) >= 2
            and path[-2] in ("nodes", "children")
            and isinstance(current.get("code"), str)
        ):
            code = current["code"]
    return path, code


def _issue_from(error: ErrorDetails, data: object, lines: Mapping[Path_, int], file: str) -> Issue:
    loc = tuple(error["loc"])
    path, code = _locate(loc, data, lines)
    keys = [p for p in path if isinstance(p, str) and p not in ("nodes", "children")]
    field = keys[-1] if keys else "(gốc)"
    kind = error["type"]
    if kind == "union_tag_invalid":
        tag = (error.get("ctx") or {}).get("tag", "?")
        known = ", ".join(RULE_TYPES)
        return Issue(
            file,
            lines.get(path),
            code,
            f"loại quy tắc không biết: '{tag}' (có: {known})",
            f"unknown rule type '{tag}' (known: {known})",
        )
    vi = _VI_ERRORS.get(kind, "giá trị không hợp lệ")
    if kind == "missing":
        missing = loc[-1]
        return Issue(
            file,
            lines.get(path),
            code,
            f"thiếu trường bắt buộc '{missing}'",
            f"missing required field '{missing}'",
        )
    return Issue(file, lines.get(path), code, f"{field}: {vi}", f"{field}: {error['msg']}")


def parse_set(text: str, file: str = "<text>") -> LoadedSet:
    """Load a set from YAML text; structural problems raise :class:`IndexSetError`."""
    data, lines = read_yaml(text, file)
    return parse_data(data, lines, file, text)


def parse_data(data: object, lines: dict[Path_, int], file: str, source: str = "") -> LoadedSet:
    """Validate plain data (from YAML or a spreadsheet) whose paths have known lines/rows."""
    if not isinstance(data, dict):
        raise IndexSetError(
            [Issue(file, 1, None, "tệp phải là bảng khóa: giá trị", "the file must be a mapping")]
        )
    try:
        definition = IndexSetDef.model_validate(data)
    except ValidationError as exc:
        issues = [_issue_from(err, data, lines, file) for err in exc.errors()]
        raise IndexSetError(sorted(issues, key=lambda i: i.line or 0)) from exc
    return LoadedSet(definition, lines, file, source)


def load_set(text: str, file: str = "<text>", previous: IndexSetDef | None = None) -> LoadedSet:
    """Parse and validate; every problem is reported at once."""
    loaded = parse_set(text, file)
    issues = validate(loaded.definition, previous=previous, file=file, lines=loaded.lines)
    if issues:
        raise IndexSetError(issues)
    return loaded


def check(loaded: LoadedSet, previous: IndexSetDef | None = None) -> LoadedSet:
    """Run :func:`validate` on a parsed set; raise with every problem found."""
    issues = validate(loaded.definition, previous=previous, file=loaded.file, lines=loaded.lines)
    if issues:
        raise IndexSetError(issues)
    return loaded


def needs_machine_rule(definition: IndexSetDef) -> list[str]:
    """Leaves still scored by hand only because no rule was written (bare spreadsheets)."""
    return [
        node.code
        for node, _p, _l in definition.walk()
        if node.is_leaf and node.rule is None and node.max > 0 and node.method == Method.SELF
    ]


def load_definition(data: Mapping[str, Any]) -> IndexSetDef:
    """A stored definition (JSON from the database), already validated when imported."""
    return IndexSetDef.model_validate(dict(data))


# -- semantic validation ------------------------------------------------------------------


def _fmt(value: Decimal) -> str:
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def validate(
    definition: IndexSetDef,
    *,
    previous: IndexSetDef | None = None,
    file: str = "<text>",
    lines: Mapping[Path_, int] | None = None,
) -> list[Issue]:
    """Check what the models cannot: codes, sums, rule ranges and mappings."""
    lines = lines or {}
    paths: dict[str, Path_] = {}
    issues: list[Issue] = []
    raw = definition.model_dump(mode="python")

    def add(code: str | None, vi: str, en: str, key: str | None = None) -> None:
        line = None
        if code is not None and code in paths:
            path = paths[code]
            line = lines.get((*path, key)) if key else None
            line = line or lines.get(path)
        issues.append(Issue(file, line, code, vi, en))

    for path, raw_node in _node_paths(raw):
        code = raw_node["code"]
        if code in paths:
            first = lines.get(paths[code])
            issues.append(
                Issue(
                    file,
                    lines.get(path),
                    code,
                    f"mã '{code}' bị trùng (đã dùng ở dòng {first})",
                    f"duplicate code '{code}' (first used on line {first})",
                )
            )
            continue
        paths[code] = path

    top = sum((n.max for n in definition.nodes if n.method != Method.DEDUCTION), ZERO)
    if top != definition.max_points:
        issues.append(
            Issue(
                file,
                lines.get(("max_points",)),
                None,
                f"tổng điểm các lĩnh vực ({_fmt(top)}) khác điểm tối đa "
                f"({_fmt(definition.max_points)})",
                f"fields add up to {_fmt(top)}, not max_points {_fmt(definition.max_points)}",
            )
        )

    codes_prev = previous.by_code() if previous is not None else None
    if previous is not None and definition.previous and definition.previous != previous.code:
        issues.append(
            Issue(
                file,
                lines.get(("previous",)),
                None,
                f"bộ trước là '{definition.previous}', không phải '{previous.code}'",
                f"previous set is '{definition.previous}', not '{previous.code}'",
            )
        )

    for node, _parent, _level in definition.walk():
        code = node.code
        if node.method == Method.DEDUCTION:
            if node.cap is None:
                add(code, "điểm trừ/thưởng cần 'cap'", "a deduction or bonus needs 'cap'")
            if node.max != 0:
                add(
                    code,
                    "điểm trừ/thưởng không tính vào điểm tối đa: để max = 0 và dùng cap",
                    "deductions and bonuses are outside the maximum: set max 0 and use cap",
                    "max",
                )
            if node.children:
                add(code, "điểm trừ/thưởng không có tiêu chí con", "a deduction has no children")
        elif node.cap is not None:
            add(code, "'cap' chỉ dùng cho điểm trừ/thưởng", "'cap' is only for deductions", "cap")
        if node.children:
            total = sum((c.max for c in node.children if c.method != Method.DEDUCTION), ZERO)
            if total != node.max:
                add(
                    code,
                    f"tổng điểm tiêu chí con ({_fmt(total)}) khác điểm tối đa ({_fmt(node.max)})",
                    f"children add up to {_fmt(total)}, not max {_fmt(node.max)}",
                    "max",
                )
            if node.rule is not None or node.kpi:
                add(
                    code,
                    "tiêu chí có tiêu chí con thì không có quy tắc riêng",
                    "a node with children has no rule of its own",
                    "rule",
                )
            if node.method not in (Method.SELF,):
                add(
                    code,
                    "phương pháp chỉ đặt ở tiêu chí lá",
                    "a method is set on leaves only",
                    "method",
                )
        else:
            rng = node.range
            low, high = output_bounds(node.effective_rule, rng)
            if low < rng.lo or high > rng.hi:
                add(
                    code,
                    f"quy tắc cho điểm từ {_fmt(low)} đến {_fmt(high)}, ngoài khoảng "
                    f"[{_fmt(rng.lo)}; {_fmt(rng.hi)}]",
                    f"rule yields {_fmt(low)}..{_fmt(high)}, outside [{_fmt(rng.lo)}, "
                    f"{_fmt(rng.hi)}]",
                    "rule",
                )
            if node.method == Method.COMPUTED and not node.kpi:
                add(code, "tiêu chí tính toán cần 'kpi'", "a computed criterion needs 'kpi'")
            if node.kpi and node.method != Method.COMPUTED:
                add(
                    code,
                    "'kpi' chỉ dùng cho tiêu chí tính toán (method: computed)",
                    "'kpi' is only for computed criteria",
                    "kpi",
                )
        if node.maps_from is not None:
            if definition.previous is None:
                add(
                    code,
                    "có maps_from nhưng bộ chưa khai báo 'previous'",
                    "maps_from given but the set names no 'previous'",
                    "maps_from",
                )
            elif codes_prev is not None:
                for old in node.maps_from.codes:
                    if old not in codes_prev:
                        add(
                            code,
                            f"mã '{old}' không có trong bộ trước ({definition.previous})",
                            f"code '{old}' is not in the previous set",
                            "maps_from",
                        )
            if (
                node.maps_from.kind in ("same", "renamed", "split")
                and len(node.maps_from.codes) != 1
            ):
                add(
                    code,
                    f"maps_from '{node.maps_from.kind}' nhận đúng một mã",
                    f"maps_from '{node.maps_from.kind}' takes exactly one code",
                    "maps_from",
                )

    bands = [b.min_percent for b in definition.bands]
    if bands != sorted(bands, reverse=True) or len(set(bands)) != len(bands):
        issues.append(
            Issue(
                file,
                lines.get(("bands",)),
                None,
                "các nhóm xếp loại phải theo ngưỡng giảm dần, không trùng",
                "bands must have strictly decreasing thresholds",
            )
        )
    codes = [b.code for b in definition.bands]
    if len(set(codes)) != len(codes):
        issues.append(
            Issue(file, lines.get(("bands",)), None, "mã nhóm bị trùng", "duplicate band code")
        )
    return sorted(issues, key=lambda i: (i.line or 0, i.code or ""))


class _Dumper(yaml.SafeDumper):
    pass


def _represent_decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.ScalarNode:
    if value == value.to_integral_value():
        return dumper.represent_int(int(value))
    text = f"{value:f}"
    return dumper.represent_scalar("tag:yaml.org,2002:float", text)


def _represent_str_enum(dumper: yaml.SafeDumper, value: StrEnum) -> yaml.ScalarNode:
    return dumper.represent_str(str(value))


_Dumper.add_representer(Decimal, _represent_decimal)
for _enum in (SetKind, Display, Method, NotApplicable):
    _Dumper.add_representer(_enum, _represent_str_enum)

_NODE_DEFAULTS: dict[str, object] = {
    "label": "",
    "method": Method.SELF,
    "cap": None,
    "bonus": False,
    "rule": None,
    "kpi": None,
    "evidence": "",
    "guidance": "",
    "to_verify": False,
    "maps_from": None,
    "children": [],
}


def _prune_node(node: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in node.items() if k not in _NODE_DEFAULTS or v != _NODE_DEFAULTS[k]}
    if "rule" in out:
        out["rule"] = _prune_rule(out["rule"])
    if out.get("children"):
        out["children"] = [_prune_node(c) for c in out["children"]]
    return out


def _prune_rule(rule: dict[str, Any]) -> dict[str, Any]:
    out = {"type": rule["type"]}
    out.update((k, v) for k, v in rule.items() if v is not None and k != "type")
    return out


def dump_yaml(definition: IndexSetDef) -> str:
    """A canonical YAML text of a definition; loading it gives the same definition."""
    data = definition.model_dump(mode="python")
    data["nodes"] = [_prune_node(n) for n in data["nodes"]]
    for key, empty in (("target_unit_kinds", []), ("legal_basis", None), ("previous", None)):
        if data.get(key) == empty:
            del data[key]
    if data.get("note") == "":
        del data["note"]
    if definition.bands == list(DEFAULT_BANDS):
        del data["bands"]
    if data.get("legal_basis"):
        data["legal_basis"] = {k: v for k, v in data["legal_basis"].items() if v not in (None, "")}
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


if __name__ == "__main__":  # python -m cchc.core.indexset > docs/indexset.schema.json
    print(json_schema(), end="")
