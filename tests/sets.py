"""The small index set several web tests score rounds on (10 points, two fields).

I.1 timeliness 2/1/0, I.2 meetings 4→2 / 2→1, II.1 ratio a/b × 3, II.2 survey 3.
"""

from __future__ import annotations

NODES = """nodes:
  - code: I
    label: I
    title: Chỉ đạo điều hành
    max: 4
    children:
      - code: I.1
        title: Ban hành kế hoạch
        max: 2
        rule: {type: timeliness, on_time: 2, late: 1, missing: 0}
      - code: I.2
        title: Số cuộc họp
        max: 2
        rule:
          type: count_bands
          levels: [{at_least: 4, points: 2}, {at_least: 2, points: 1}]
  - code: II
    label: II
    title: Tác động
    max: 6
    children:
      - code: II.1
        title: Tỷ lệ văn bản điện tử
        max: 3
        rule: {type: ratio}
      - code: II.2
        title: Điều tra XHH
        max: 3
        method: survey
"""

BANDS_A90_B60 = """bands:
  - {code: A, min_percent: 90}
  - {code: B, min_percent: 60}
"""


def small_par_yaml(code: str, name: str, *, bands: str = "") -> str:
    """The set's YAML under its own code and name (optionally with bands)."""
    head = f"code: {code}\nname: {name}\nkind: PAR\nyear: 2024\nmax_points: 10\ndisplay: percent\n"
    return head + bands + NODES
