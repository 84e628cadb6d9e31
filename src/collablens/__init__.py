"""collablens: what helps and what holds back a police inter-force collaboration.

The package is laid out by the data flow (see docs/architecture.md):
``framework`` -> ``surveys`` -> ``store`` -> ``analysis`` -> ``reporting``, with free
text going ``text`` (redact, segment, embed, classify, code, review, evaluate). The
``cli`` is a thin layer over them. Importing this package imports nothing heavy.
"""

from __future__ import annotations

__version__ = "0.2.0"
