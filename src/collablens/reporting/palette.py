"""The report's colours, named once: the charts (matplotlib), the deck (python-pptx) and
the report's CSS (`templates/report.html` reads `palette` for its variables) all take
them from here, so a colour changed here changes every output the same way.

Band colours are the framework's (`Band.colour`); the defaults below are what a framework
without its own gets (`framework.model.DEFAULT_BAND_COLOURS`), and what the page's CSS
calls strength, borderline and concern.
"""

from __future__ import annotations

from ..framework.model import DEFAULT_BAND_COLOURS

INK = "#23313f"  # text and lines
MUTED = "#5b6770"  # grey text in charts and the deck, 5.9:1 on white (WCAG AA)
#: The page's grey text: a shade lighter than MUTED (kept as the report has always had it).
PAGE_MUTED = "#5d6b78"
GRID = "#d8dee4"  # chart gridlines and axes
LINE = "#e3e8ee"  # the page's rules and borders
BACKGROUND = "#f6f8fa"  # the page behind its sections
WHITE = "#ffffff"
TABLE_FILL = "#f4f6f8"  # a deck table's body cells
HEADER = ("#16324f", "#245a7a")  # the report header's gradient
GAP = "#2c6e9b"  # the edge of a partner-gap card
HIDDEN = "#999"  # a hidden group's chip
PREVIEW = ("#fff4e0", "#3d2a00", "#8a5a00")  # a preview's banner: fill, text (12:1), edge
HIDDEN_TEXT = "#888"  # a hidden cell's words on the page
CHART_HIDDEN_TEXT = "#777"  # "hidden", and notes, inside a chart
HATCH = "#bbbbbb"  # the hatching of a hidden heatmap cell
CELL_TEXT = "#111"  # numbers on heatmap cells
CONNECTOR = "#b8c2cc"  # the line between a force's two scores (quadrant)
OFFICERS = "#9aa5b1"  # the share-of-officers bar (fairness)
NO_FACTOR_CODE = "#7f8c8d"  # the "None of the factors" code in REFI-QDA files
UNCLEAR = "#aab4bd"  # a bar, not text: the count beside it is in INK
#: The heatmap's ramp where a framework has no bands: unhealthy, middling, healthy.
HEALTH_RAMP = ("#d0614f", "#fae3a8", "#3f9a68")

STRENGTH, BORDERLINE, CONCERN = DEFAULT_BAND_COLOURS
KIND = {"inhibitor": "#8e44ad", "facilitator": "#1f77b4"}
POLARITY = {"barrier": CONCERN, "enabler": STRENGTH}
