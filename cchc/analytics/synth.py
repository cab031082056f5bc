"""Synthetic dossiers (SYNTHETIC data, marked as such) in the canonical CSV or Parquet.

Generation runs in DuckDB from ``range(rows)`` with a hash of (seed, row, draw) as the
random source, so the same seed gives byte-identical output at any size and speed.
"""

from __future__ import annotations

import csv
import random
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from cchc.analytics import sql

PARAMS = Path(__file__).with_name("synth_params.yaml")
PRIME = 2_147_483_647


def load_params(path: str | Path | None = None) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(Path(path or PARAMS).read_text(encoding="utf-8"))
    return data


def zipf_weights(codes: list[str], exponent: float = 1.0, seed: int = 1) -> list[tuple[str, float]]:
    """Zipf-like volumes: the rank-r unit gets 1/r^s, ranks shuffled by ``seed``."""
    ranks = list(range(1, len(codes) + 1))
    random.Random(seed).shuffle(ranks)
    return [(code, 1.0 / (rank**exponent)) for code, rank in zip(codes, ranks, strict=True)]


def generate(
    rows: int,
    years: int,
    seed: int,
    units: list[tuple[str, float]],
    out: str | Path,
    params_yaml: str | Path | None = None,
    fmt: str = "csv",
) -> Path:
    """Write ``rows`` synthetic dossiers over ``years`` years to ``out`` (csv or parquet)."""
    p = load_params(params_yaml)
    target = Path(out)
    con = sql.connect()
    total = sum(w for _, w in units)
    con.execute("CREATE TEMP TABLE u(idx INTEGER, code VARCHAR, w DOUBLE)")
    con.executemany(
        "INSERT INTO u VALUES (?, ?, ?)",
        [(i, code, w / total) for i, (code, w) in enumerate(units)],
    )
    con.execute("CREATE TEMP TABLE cum AS SELECT code, sum(w) OVER (ORDER BY idx) AS hi FROM u")
    con.execute("UPDATE cum SET hi = 2 WHERE hi = (SELECT max(hi) FROM cum)")

    def r(k: int) -> str:
        # One integer per (seed, row, draw) through DuckDB's integer hash (well mixed;
        # the multi-argument hash combines too weakly for independent draws).
        return f"((hash(i * 64 + {k} + {int(seed)} * 1099511627776) % {PRIME})::DOUBLE / {PRIME})"

    ch = p["channels"]
    c1 = ch["online_full"]
    c2 = c1 + ch["online_partial"]
    c3 = c2 + ch["direct"]
    start = date.fromisoformat(str(p["start"]))
    end_ts = datetime.combine(start + timedelta(days=365 * years), datetime.min.time())
    days = 365 * years
    rej = p["outcome"]["rejected"]
    wdr = rej + p["outcome"]["withdrawn"]
    early = p["timing"]["early"]
    late = early + p["timing"]["late"]
    sup = p["supplement_share"]
    multi = p["multiple_supplement_share"]
    base = f"""
    SELECT i,
      TIMESTAMP '{start.isoformat()}' + to_days(CAST(floor({r(1)} * {days}) AS INTEGER))
        + to_seconds(CAST(25200 + floor({r(2)} * 36000) AS BIGINT)) AS received_at,
      CASE WHEN {r(3)} < {c1} THEN 'online_full' WHEN {r(3)} < {c2} THEN 'online_partial'
           WHEN {r(3)} < {c3} THEN 'direct' ELSE 'postal' END AS channel,
      1 + CAST(floor({r(4)} * {p["processing_days_max"]}) AS INTEGER) AS pdays,
      {r(5)} < {p["due_date_only_share"]} AS due_date_only,
      CASE WHEN {r(6)} < {multi} THEN 2 WHEN {r(6)} < {sup} THEN 1 ELSE 0 END AS sreq,
      {r(7)} AS u_sd, {r(8)} AS u_out, {r(9)} AS u_time, {r(10)} AS u_off,
      {r(11)} AS u_unf, {r(12)} AS u_apo, {r(13)} AS u_dig, {r(14)} AS u_er,
      {r(15)} AS u_pay, {r(16)} AS u_post, {r(17)} AS u_cpl, {r(18)} AS u_ob,
      CAST(floor({r(19)} * {p["sectors"]}) AS INTEGER) + 1 AS sector_no,
      CAST(floor({r(20)} * 20) AS INTEGER) + 1 AS proc_no, {r(21)} AS u_unit
    FROM range({int(rows)}) t(i)"""
    shaped = f"""
    SELECT b.*, c.code AS unit_code,
      CAST(received_at AS DATE) + pdays + TIME '17:00' AS due_at,
      CASE WHEN sreq > 0 THEN CAST(round(u_sd * {p["supplement_days_max"]}, 1)
           AS DECIMAL(9,1)) ELSE 0 END AS sdays,
      CASE WHEN u_out < {rej} THEN 'rejected' WHEN u_out < {wdr} THEN 'withdrawn'
           ELSE 'finished' END AS closed_status
    FROM ({base}) b ASOF JOIN cum c ON b.u_unit <= c.hi"""
    timed = f"""
    SELECT *, greatest(received_at + INTERVAL 1 HOUR, CASE
        WHEN u_time < {early} THEN received_at + to_days(CAST(floor(u_off * pdays) AS INTEGER))
        WHEN u_time < {late} THEN due_at + to_days(
            1 + CAST(floor(u_off * {p["late_days_max"]}) AS INTEGER))
        ELSE CAST(due_at AS DATE) + TIME '08:00'
            + to_seconds(CAST(floor(u_off * 32400) AS BIGINT))
      END + to_microseconds(CAST(sdays * 86400000000 AS BIGINT))) AS fin
    FROM ({shaped})"""
    ts = "'%Y-%m-%d %H:%M:%S'"
    final = f"""
    SELECT
      '{p["source_system"]}' AS source_system,
      'HS' || lpad(CAST(i AS VARCHAR), 10, '0') AS dossier_code,
      unit_code,
      'LV' || lpad(CAST(sector_no AS VARCHAR), 2, '0') || '-' || proc_no AS procedure_code,
      'LV' || lpad(CAST(sector_no AS VARCHAR), 2, '0') AS sector,
      channel,
      strftime(received_at, {ts}) AS received_at,
      CASE WHEN due_date_only THEN strftime(due_at, '%Y-%m-%d')
           ELSE strftime(due_at, {ts}) END AS due_at,
      '' AS original_due_at,
      CASE WHEN open THEN '' ELSE strftime(fin, {ts}) END AS finished_at,
      CASE WHEN open OR NOT post THEN '' ELSE strftime(fin + INTERVAL 1 DAY, {ts})
           END AS returned_at,
      CASE WHEN post AND NOT open THEN '1' ELSE '0' END AS returned_by_post,
      CASE WHEN open THEN 'in_progress' ELSE closed_status END AS status,
      CAST(sreq AS VARCHAR) AS supplement_requests,
      CAST(sdays AS VARCHAR) AS supplement_days,
      CASE WHEN NOT open AND u_er < {p["e_result_share"]} THEN '1' ELSE '0' END AS e_result,
      CASE WHEN u_dig < {p["digitized_share"]} THEN '1' ELSE '0' END AS digitized,
      CASE WHEN u_pay < {p["paid_online_share"]} THEN '1' ELSE '0' END AS paid_online,
      CASE WHEN NOT open AND fin > due_at AND u_apo < {p["apology_share_of_late"]}
           THEN '1' ELSE '0' END AS apology_issued,
      CASE WHEN received_at >= TIMESTAMP '2025-07-01' AND u_ob < {p["outside_boundary_share"]}
           THEN '1' ELSE '0' END AS outside_boundary,
      CASE WHEN u_cpl < {p["complaint_share"]} THEN '1' ELSE '0' END AS complaint
    FROM (SELECT *, fin > TIMESTAMP '{end_ts.isoformat(sep=" ")}'
                    OR u_unf < {p["unfinished_share"]} AS open,
                 u_post < {p["returned_by_post_share"]} AS post
          FROM ({timed}))
    ORDER BY i"""
    if fmt == "csv":
        con.execute(f"COPY ({final}) TO '{target}' (FORMAT csv, HEADER true, QUOTE '\"')")
    elif fmt == "parquet":
        con.execute(f"COPY ({final}) TO '{target}' (FORMAT parquet)")
    else:
        raise ValueError(f"định dạng không hỗ trợ: {fmt!r}")
    con.close()
    return target


LUC_BINH_CODE = "LUCBINH"  # SYNTHETIC code for xã Lục Bình (Bạch Thông, Bắc Kạn)
LUC_BINH_START = date(2021, 12, 15)
LUC_BINH_END = date(2022, 9, 19)


def luc_binh(out: str | Path, seed: int = 2022) -> Path:
    """xã Lục Bình, 15/12/2021–19/9/2022 (seed article): 926 received, 1 carried over,
    927 resolved, all on time, 0 late, 0 in progress.

    The figures are the article's; the early/on-time split, the channels, the times and
    the codes are SYNTHETIC.
    """
    rng = random.Random(seed)
    target = Path(out)
    channels = ["direct", "online_full", "online_partial", "postal"]
    span = (LUC_BINH_END - LUC_BINH_START).days - 10
    records: list[list[str]] = []

    def row(code: str, received: datetime, channel: str) -> list[str]:
        due = received.date() + timedelta(days=rng.randint(1, 7))
        finished = datetime.combine(
            received.date() + timedelta(days=rng.randint(0, (due - received.date()).days)),
            datetime.min.time(),
        ) + timedelta(hours=rng.randint(8, 16))
        finished = max(finished, received + timedelta(minutes=30))
        return [
            "SYNTH-LUCBINH", code, LUC_BINH_CODE, "", "LV01", channel,
            received.strftime("%Y-%m-%d %H:%M:%S"), due.strftime("%Y-%m-%d"), "",
            finished.strftime("%Y-%m-%d %H:%M:%S"), "", "0", "finished", "0", "0",
            "1", "1", "0", "0", "0", "0",
        ]  # fmt: skip

    # The one dossier carried over: received 10/12/2021, finished in the period.
    carried = datetime(2021, 12, 10, 9, 0)
    first = row("LB-0000", carried, "direct")
    first[7] = "2021-12-20"
    first[9] = "2021-12-16 10:00:00"
    records.append(first)
    for n in range(1, 927):
        received = datetime.combine(
            LUC_BINH_START + timedelta(days=rng.randint(0, span)), datetime.min.time()
        ) + timedelta(hours=rng.randint(7, 16), minutes=rng.randint(0, 59))
        records.append(row(f"LB-{n:04d}", received, rng.choice(channels)))
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(sql.CSV_COLUMNS)
        writer.writerows(records)
    return target
