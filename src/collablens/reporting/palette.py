"""The report's colours, named once: the charts (matplotlib), the deck (python-pptx) and
the report's CSS (`templates/report.html` reads `palette` for its variables) all take
them from here, so a colour changed here changes every output the same way.

Band colours are the framework's (`Band.colour`); the defaults below are what a framework
without its own gets (`framework.model.DEFAULT_BAND_COLOURS`), and what the page's CSS
calls strength, borderline and concern.

Every colour meets WCAG 2.2 AA where it is used (tests/test_accessibility.py measures
them): words 4.5:1 against what is behind them, and the marks a chart's reader must see
(dots, bars, lines) 3:1 against white. Gridlines, rules, zones and hatching only decorate:
what they show is also said in words (a label, "hidden", a table).
"""

from __future__ import annotations

from ..framework.model import DEFAULT_BAND_COLOURS, HIDDEN_COLOUR

# The WCAG arithmetic, for the tests and for plugins that add colours of their own.
from ..framework.model import contrast as contrast
from ..framework.model import readable as readable

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
HIDDEN = HIDDEN_COLOUR  # a hidden group's chip: white words on it, 4.7:1
PREVIEW = ("#fff4e0", "#3d2a00", "#8a5a00")  # a preview's banner: fill, text (12:1), edge
HIDDEN_TEXT = PAGE_MUTED  # a hidden cell's words on the page (italic): 5.5:1
CHART_HIDDEN_TEXT = "#666666"  # "hidden", and notes, inside a chart: 5.7:1
HATCH = "#bbbbbb"  # the hatching of a hidden heatmap cell (decoration: the cell says "hidden")
CELL_TEXT = "#111"  # numbers on heatmap cells
CONNECTOR = "#8794a0"  # the line between a force's two scores (quadrant): 3.1:1
OFFICERS = "#7d8a96"  # the share-of-officers bar (fairness): 3.5:1
NO_FACTOR_CODE = "#7f8c8d"  # the "None of the factors" code in REFI-QDA files
UNCLEAR = "#848f9a"  # a bar, 3.3:1; the count on it is in CELL_TEXT, 5.7:1
#: The heatmap's ramp where a framework has no bands: unhealthy, middling, healthy.
HEALTH_RAMP = ("#d0614f", "#fae3a8", "#3f9a68")

STRENGTH, BORDERLINE, CONCERN = DEFAULT_BAND_COLOURS
KIND = {"inhibitor": "#8e44ad", "facilitator": "#1f77b4"}
POLARITY = {"barrier": CONCERN, "enabler": STRENGTH}

#: The scatter markers of the two kinds of factor: a shape as well as a colour, so a reader
#: who cannot tell purple from blue still can tell them apart (WCAG 1.4.1).
KIND_MARKER = {"inhibitor": "D", "facilitator": "o"}
