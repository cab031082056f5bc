-- Baseline for bench_dossiers: one hand-written statement over the same Parquet files.
-- Reads every partition (no snapshot), classifies with the default options and rolls up
-- province → commune. Placeholders: {files} {start} {end} {unit_filter}.
-- Needs table bench_units(unit_code, province) (created once, not timed).
SELECT
    GROUPING(u.province) AS g_province,
    GROUPING(d.unit_code) AS g_unit,
    u.province,
    d.unit_code,
    count(*) AS received_total,
    count(*) FILTER (CAST(d.received_at AS DATE) >= DATE '{start}') AS new_total,
    count(*) FILTER (CAST(d.received_at AS DATE) >= DATE '{start}' AND d.channel = 'online_full'),
    count(*) FILTER (CAST(d.received_at AS DATE) >= DATE '{start}' AND d.channel = 'online_partial'),
    count(*) FILTER (CAST(d.received_at AS DATE) >= DATE '{start}' AND d.channel = 'direct'),
    count(*) FILTER (CAST(d.received_at AS DATE) >= DATE '{start}' AND d.channel = 'postal'),
    count(*) FILTER (CAST(d.received_at AS DATE) < DATE '{start}'),
    count(*) FILTER (d.closed AND d.status = 'finished'),
    count(*) FILTER (d.closed AND d.status = 'finished' AND NOT d.late AND d.fin_day < CAST(d.due AS DATE)),
    count(*) FILTER (d.closed AND d.status = 'finished' AND NOT d.late AND d.fin_day >= CAST(d.due AS DATE)),
    count(*) FILTER (d.closed AND d.status = 'finished' AND d.late),
    count(*) FILTER (d.closed AND d.status = 'finished' AND d.late AND d.apology_issued),
    count(*) FILTER (d.closed AND d.status = 'finished' AND d.late AND NOT d.apology_issued),
    count(*) FILTER (NOT d.closed),
    count(*) FILTER (NOT d.closed AND CAST(d.due AS DATE) > DATE '{end}'),
    count(*) FILTER (NOT d.closed AND CAST(d.due AS DATE) <= DATE '{end}'),
    count(*) FILTER (d.closed AND d.status <> 'finished'),
    count(*) FILTER (d.closed AND d.status = 'rejected'),
    count(*) FILTER (d.closed AND d.status = 'withdrawn'),
    count(*) FILTER (d.closed AND d.status = 'finished' AND d.returned_by_post),
    count(*) FILTER (CAST(d.received_at AS DATE) >= DATE '{start}' AND d.digitized),
    count(*) FILTER (CAST(d.received_at AS DATE) >= DATE '{start}' AND d.paid_online),
    count(*) FILTER (d.closed AND d.status = 'finished' AND d.e_result),
    count(*) FILTER (d.complaint)
FROM (
    SELECT *,
        finished_at IS NOT NULL AND CAST(finished_at AS DATE) <= DATE '{end}' AS closed,
        CAST(finished_at AS DATE) AS fin_day,
        (finished_at > due OR supplement_requests > 1) AS late
    FROM (
        SELECT *,
            (CASE WHEN due_date_only THEN due_at + INTERVAL 1 DAY - INTERVAL 1 MICROSECOND
                  ELSE due_at END)
                + to_microseconds(CAST(supplement_days * 86400000000 AS BIGINT)) AS due
        FROM read_parquet({files})
        WHERE CAST(received_at AS DATE) <= DATE '{end}'
          AND (finished_at IS NULL OR CAST(finished_at AS DATE) >= DATE '{start}')
          {unit_filter}
    )
) d
JOIN bench_units u ON u.unit_code = d.unit_code
GROUP BY ROLLUP (u.province, d.unit_code)
