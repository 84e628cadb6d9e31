"""Extension points: small named registries that built-ins and third parties fill the same way.

Four things can be added without touching collablens: survey-file readers, embedding
models for the coder, report sections and exporters. Each is a `Registry`. The built-ins
are registered through the same Python entry points a third-party package would declare
in its own ``pyproject.toml``, as `llm` and `datasette` do with their plugins::

    [project.entry-points."collablens.readers"]
    limesurvey = "my_package.readers:LIMESURVEY"

Entry points are loaded the first time a registry is read, so ``collablens --help``
imports none of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from importlib.metadata import entry_points
from typing import Generic, TypeVar

T = TypeVar("T")

GROUP_PREFIX = "collablens."


class Registry(Generic[T]):
    """Named things of one kind, from entry points in group ``collablens.<kind>``."""

    def __init__(self, kind: str, describe: str) -> None:
        self.kind = kind
        self.describe = describe
        self._items: dict[str, T] = {}
        self._loaded = False

    @property
    def group(self) -> str:
        return GROUP_PREFIX + self.kind

    def register(self, name: str, item: T) -> T:
        """Add (or replace) an item by name; returns it, so it can decorate a definition."""
        self._items[name] = item
        return item

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        for ep in entry_points(group=self.group):
            if ep.name not in self._items:
                self._items[ep.name] = ep.load()

    def __getitem__(self, name: str) -> T:
        self._load()
        try:
            return self._items[name]
        except KeyError:
            known = ", ".join(self) or "none installed"
            raise LookupError(f"no {self.describe} named {name!r} (choose from: {known})") from None

    def __contains__(self, name: object) -> bool:
        self._load()
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        self._load()
        return iter(list(self._items))

    def __len__(self) -> int:
        self._load()
        return len(self._items)

    def items(self) -> list[tuple[str, T]]:
        self._load()
        return list(self._items.items())


#: Survey export readers (`collablens.surveys.readers.Reader`), tried in registration order.
readers: Registry = Registry("readers", "survey file reader")
#: Offline sentence embedders for the coder: name -> zero-argument factory.
embedders: Registry[Callable[[], object]] = Registry("embedders", "embedding model")
#: Report sections (`collablens.reporting.sections.Section`), shown in their `order`.
sections: Registry = Registry("sections", "report section")
#: Exporters of disclosed results (`collablens.reporting.exporters.Exporter`).
exporters: Registry = Registry("exporters", "exporter")
