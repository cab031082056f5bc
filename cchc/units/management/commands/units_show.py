"""``cchc units show CODE [--as-of DATE] [--json]``: every unit a code names."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cchc.core.dates import DateError, format_date, parse_date
from cchc.units.models import Unit
from cchc.units.services import (
    LineageLink,
    UnitResolutionError,
    ancestors,
    describe,
    predecessors,
    resolve_unit,
    split_key,
    successors,
    validity_text,
)

# The CLI speaks Vietnamese whatever the active language.
LINEAGE_VI = {
    "merge": "sáp nhập",
    "split": "chia tách",
    "rename": "đổi tên",
    "unchanged": "giữ nguyên",
    "dissolved_into": "giải thể, địa bàn thuộc",
}


def _brief(unit: Unit) -> dict[str, Any]:
    return {"key": unit.key, "name": unit.name, "kind": unit.kind, "validity": validity_text(unit)}


def _link(link: LineageLink) -> dict[str, Any]:
    return {
        **_brief(link.unit),
        "lineage_kind": link.kind,
        "effective": link.effective.isoformat(),
        "is_default": link.is_default,
    }


def unit_data(unit: Unit, as_of: date | None) -> dict[str, Any]:
    return {
        **_brief(unit),
        "code": unit.code,
        "hierarchy": unit.hierarchy,
        "level": unit.level,
        "valid_from": unit.valid_from.isoformat() if unit.valid_from else None,
        "valid_to": unit.valid_to.isoformat() if unit.valid_to else None,
        "latitude": str(unit.latitude) if unit.latitude is not None else None,
        "longitude": str(unit.longitude) if unit.longitude is not None else None,
        "ancestors": [_brief(a) for a in ancestors(unit, as_of or unit.valid_to)],
        "predecessors": [_link(link) for link in predecessors(unit)],
        "successors": [_link(link) for link in successors(unit)],
    }


class Command(BaseCommand):
    help = "Show every unit a code names, with validity, ancestors and lineage."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="01969, 01969@2025 or 01969@legacy")
        parser.add_argument("--as-of", dest="as_of", help="date dd/mm/yyyy or yyyy-mm-dd")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            as_of = parse_date(options["as_of"]) if options["as_of"] else None
            code, hierarchy = split_key(options["code"])
            if hierarchy:
                units = [resolve_unit(options["code"])]
            else:
                units = sorted(
                    Unit.objects.filter(code=code), key=lambda u: u.hierarchy != "legacy"
                )
            chosen = resolve_unit(code, as_of=as_of) if as_of and not hierarchy else None
        except (DateError, UnitResolutionError) as exc:
            raise CommandError(str(exc)) from exc
        if not units:
            raise CommandError(f"Mã {code}: không tìm thấy đơn vị")
        data = [unit_data(unit, as_of) for unit in units]
        if options["json"]:
            payload = {"units": data, "as_of_match": chosen.key if chosen else None}
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        for unit, item in zip(units, data, strict=True):
            marker = " ← theo ngày" if chosen is not None and chosen.pk == unit.pk else ""
            self.stdout.write(f"{describe(unit)} [{unit.get_kind_display()}]{marker}")
            if item["ancestors"]:
                chain = " › ".join(a["name"] for a in item["ancestors"])
                when = f" (ngày {format_date(as_of)})" if as_of else ""
                self.stdout.write(f"  Trực thuộc{when}: {chain}")
            if unit.latitude is not None:
                self.stdout.write(f"  Tọa độ: {unit.latitude}, {unit.longitude}")
            for title, links in (
                ("Tiền thân", item["predecessors"]),
                ("Kế thừa", item["successors"]),
            ):
                if links:
                    self.stdout.write(f"  {title}:")
                for link in links:
                    default = (
                        " (mặc định)"
                        if link["is_default"] and link["lineage_kind"] == "split"
                        else ""
                    )
                    label = LINEAGE_VI.get(link["lineage_kind"], link["lineage_kind"])
                    self.stdout.write(
                        f"    {link['name']} ({link['key']}, {label}, "
                        f"{format_date(date.fromisoformat(link['effective']))}){default}"
                    )
