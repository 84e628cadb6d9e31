"""Rendering: the Jinja environment (autoescaped, with the report's number formats)."""

from __future__ import annotations

from functools import lru_cache

from jinja2 import ChoiceLoader, Environment, PackageLoader, select_autoescape


@lru_cache(maxsize=16)
def environment(package: str = "collablens.reporting") -> Environment:
    """An environment that finds `package`'s templates first, then collablens' own."""
    loaders = [PackageLoader(package, "templates")]
    if package != "collablens.reporting":
        loaders.append(PackageLoader("collablens.reporting", "templates"))
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["f2"] = lambda v: "–" if v is None else f"{v:.2f}"
    env.filters["signed"] = lambda v: "–" if v is None else f"{v:+.2f}"
    env.filters["pval"] = lambda v: "<0.001" if v < 0.001 else f"{v:.3f}"
    return env
