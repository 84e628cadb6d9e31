"""Extension points: named registries that built-ins and plugins fill through the same hooks.

Six things can be added without touching collablens: survey-file readers, embedding models
for the coder, report sections, exporters, commands and web routes (the hooks are in
`collablens.hookspecs`). A `pluggy` plugin manager holds the plugins: the built-ins
(`collablens.default_plugins`) are registered in code, third-party packages through one
entry-point group, as `llm` does::

    [project.entry-points.collablens]
    limesurvey = "collablens_limesurvey"

Nothing is loaded until first needed: a registry fills itself from the hooks the first time
it is read, so ``import collablens.plugins`` imports no plugin and no model.
A plugin's item that takes a built-in's name replaces the built-in (a plugin is installed on
purpose); ``collablens plugins`` shows what each plugin added.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    import pluggy

T = TypeVar("T")

#: The entry-point group third-party plugins declare themselves under.
ENTRY_POINT_GROUP = "collablens"
#: Modules registered in code as plugins: the built-ins.
DEFAULT_PLUGINS = ("collablens.default_plugins",)

_pm: pluggy.PluginManager | None = None


def manager() -> pluggy.PluginManager:
    """The plugin manager: built-ins first, then every installed plugin (made once)."""
    global _pm
    if _pm is None:
        import importlib

        import pluggy

        from . import hookspecs

        pm = pluggy.PluginManager(hookspecs.PROJECT)
        pm.add_hookspecs(hookspecs)
        for name in DEFAULT_PLUGINS:
            pm.register(importlib.import_module(name), name=name)
        pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
        _pm = pm
    return _pm


def register(plugin: Any, name: str | None = None) -> None:
    """Register a plugin object in this process (tests, notebooks): as if it were installed.

    Registries already read are filled again, so its items appear at once.
    """
    pm = manager()
    pm.register(plugin, name=name)
    for registry in REGISTRIES:
        registry.reload()


def unregister(name: str) -> None:
    """Take back a plugin registered with `register`, and what it added."""
    pm = manager()
    pm.unregister(name=name)
    for registry in REGISTRIES:
        registry.reload()


class Registry(Generic[T]):
    """Named things of one kind, filled by the plugins' ``register_<kind>`` hook."""

    def __init__(self, kind: str, describe: str) -> None:
        self.kind = kind
        self.describe = describe
        self._items: dict[str, T] = {}
        self._origin: dict[str, str] = {}
        self._loaded = False

    @property
    def hook(self) -> str:
        return f"register_{self.kind}"

    def register(self, name: str, item: T) -> T:
        """Add (or replace) an item by name; returns it, so it can decorate a definition."""
        self._items[name] = item
        self._origin[name] = "register()"
        return item

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        pm = manager()
        # Built-ins first, so a plugin's item of the same name replaces theirs.
        impls = getattr(pm.hook, self.hook).get_hookimpls()
        for impl in sorted(impls, key=lambda i: i.plugin_name not in DEFAULT_PLUGINS):

            def add(name: str, item: T, _who: str = impl.plugin_name) -> T:
                if self._origin.get(name) == "register()":
                    return item  # registered by hand in this process: that wins
                self._items[name] = item
                self._origin[name] = _who
                return item

            args = {"register": add}
            impl.function(**{a: args[a] for a in impl.argnames})

    def reload(self) -> None:
        """Forget what the hooks added and ask them again (after a plugin comes or goes)."""
        if not self._loaded:
            return
        by_hand = {n: i for n, i in self._items.items() if self._origin.get(n) == "register()"}
        self._items, self._origin, self._loaded = {}, {}, False
        self._load()
        for n, i in by_hand.items():
            self.register(n, i)

    def origin(self, name: str) -> str:
        """Which plugin registered `name` (a module or distribution name)."""
        self._load()
        return self._origin[name]

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


#: Survey export readers (`collablens.surveys.readers.Reader`), tried by priority, then in order.
readers: Registry = Registry("readers", "survey file reader")
#: Offline sentence embedders for the coder: name -> zero-argument factory.
embedders: Registry[Callable[[], object]] = Registry("embedders", "embedding model")
#: Report sections (`collablens.reporting.sections.Section`), shown in their `order`.
sections: Registry = Registry("sections", "report section")
#: Exporters of disclosed results (`collablens.reporting.exporters.Exporter`).
exporters: Registry = Registry("exporters", "exporter")

REGISTRIES: tuple[Registry, ...] = (readers, embedders, sections, exporters)


def installed() -> list[dict[str, Any]]:
    """Every plugin with what it adds, for ``collablens plugins`` (as ``llm plugins`` lists).

    Built-ins are included and marked, so the listing shows where each reader, model,
    section and exporter comes from.
    """
    pm = manager()
    dists = {id(p): d for p, d in pm.list_plugin_distinfo()}
    out = []
    for plugin in pm.get_plugins():
        name = pm.get_name(plugin) or repr(plugin)
        hooks = sorted(h.name for h in pm.get_hookcallers(plugin) or [])
        entry: dict[str, Any] = {"name": name, "built_in": name in DEFAULT_PLUGINS, "hooks": hooks}
        dist = dists.get(id(plugin))
        if dist is not None:
            entry["name"] = dist.project_name
            entry["version"] = dist.version
        for registry in REGISTRIES:
            items = [n for n, _ in registry.items() if registry._origin.get(n) == name]
            if items:
                entry[registry.kind] = items
        out.append(entry)
    out.sort(key=lambda e: (not e["built_in"], e["name"]))
    return out
