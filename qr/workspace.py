"""What a qr run works on: the config, the loaded library, its problems and its search index.

The CLI and the TUI both start from `open_workspace`; neither reaches into the other.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from qr.config import Config, Profile, load_config, resolve_libraries, select_profile
from qr.store.entry import Entry
from qr.store.load import load_library
from qr.store.models import Library, Problem

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from qr.index.cache import CachedLoad
    from qr.index.phrase_index import KnownKeys, PhraseIndex
    from qr.render import Rendered


class Workspace:
    """The open library (or a profile's libraries) with its config and search index.

    A plain class rather than a dataclass, like the other classes a warm `qr search` defines on
    its way: defining a dataclass costs ~0.6 ms (its methods are generated and compiled each run)."""

    def __init__(
        self,
        config: Config,
        library: Library,
        problems: tuple[Problem, ...] = (),
        _index: PhraseIndex | None = None,
        shared_libraries: tuple[Library, ...] = (),
        profile: Profile | None = None,
        _cached_keys: dict[int, KnownKeys] | None = None,
        _cached: CachedLoad | None = None,
    ) -> None:
        self.config = config
        self.library = library
        self.problems = problems
        self._index = _index
        self.shared_libraries = shared_libraries
        """A profile's further libraries, after `library` (the shop's own) in resolution order."""
        self.profile = profile
        self._cached_keys: dict[int, KnownKeys] = _cached_keys if _cached_keys is not None else {}
        """Search keys read from the index cache, by id of their Group."""
        self._cached = _cached
        """How `library` was loaded: its code table and key fields laid out in the cache file serve
        the index while `library` is that very object and alone."""

    @property
    def libraries(self) -> list[Library]:
        return [self.library, *self.shared_libraries]

    @property
    def profile_name(self) -> str:
        """The key usage history is kept under ("" without a profile)."""
        return self.profile.name if self.profile else ""

    @property
    def index(self) -> PhraseIndex:
        if self._index is None:
            from qr.index.phrase_index import PhraseIndex

            cached = self._cached
            if cached is not None and cached.result.library is self.library and not self.shared_libraries:
                self._index = PhraseIndex.from_libraries(
                    self.libraries, self._cached_keys, cached.code_table, cached.layouts, cached.vocabulary, cached.forget
                )
            else:
                self._index = PhraseIndex.from_libraries(self.libraries, self._cached_keys)
        return self._index

    def problems_of(self, library: Library) -> tuple[Problem, ...]:
        """The load problems of one of the libraries, with file names relative to its root."""
        if not self.shared_libraries:
            return self.problems
        from qr.record import replace

        root = library.root
        return tuple(
            replace(problem, file=problem.file.relative_to(root))
            for problem in self.problems
            if problem.file.is_relative_to(root)
        )

    def update_library(self, library: Library, problems: tuple[Problem, ...] | None = None) -> None:
        """Swap in a new version of the library with the same root (after an edit or a reload)
        and update the index at once, recomputing only the groups that changed.

        `problems` (relative to the library's root) replace that library's load problems.
        """
        from qr.index.reindex import updated_index
        from qr.record import replace

        if library.root == self.library.root:
            self.library = library
        else:
            self.shared_libraries = tuple(
                library if other.root == library.root else other for other in self.shared_libraries
            )
        if problems is not None:
            if not self.shared_libraries:
                self.problems = problems
            else:
                others = tuple(p for p in self.problems if not p.file.is_relative_to(library.root))
                self.problems = others + tuple(replace(p, file=library.root / p.file) for p in problems)
        self._index = updated_index(self._index, self.libraries, self._cached_keys)

    @property
    def shop(self) -> str:
        """The profile's shop, else the config's, else the first library's `_library.toml`."""
        profile_shop = self.profile.shop if self.profile else ""
        return profile_shop or self.config.shop or next((lib.shop for lib in self.libraries if lib.shop), "")

    @property
    def agent(self) -> str:
        return (self.profile.agent if self.profile else "") or self.config.agent

    def builtins(self, lang: str = "zh", now: datetime | None = None) -> dict[str, str]:
        from qr.render import builtin_values  # rendering only: `qr search` and `qr list` never import it

        return builtin_values(lang=lang, agent=self.agent, shop=self.shop, now=now)

    def render(self, entry: Entry, values: dict[str, str] | None = None) -> Rendered:
        """Render a phrase with the given values, its library's defaults and the built-ins."""
        from qr.render import library_defaults, render

        return render(
            entry.phrase.body,
            values or {},
            defaults=library_defaults(entry.library),
            builtins=self.builtins(entry.phrase.lang),
        )


def apply_file_cap(config: Config) -> None:
    """`max_file_mb` from the config (a positive number) becomes the loader's per-file size cap."""
    from qr.store import load

    megabytes = config.extra.get("max_file_mb")  # checked to be a positive number by load_config
    load.MAX_FILE_BYTES = int(megabytes * 1_048_576) if megabytes else load.DEFAULT_MAX_FILE_BYTES


def open_workspace(
    library: str | Path | None = None, config: Config | None = None, profile: str | None = None, *, index: bool = True
) -> Workspace:
    """Load the run's libraries: `--profile NAME` (or the config's default profile) gives an
    ordered list; otherwise `--library`, `$QR_LIBRARY`, the config or the bundled library.
    Raises ConfigError for an unknown profile. With `index=False` the files are parsed and the
    search index (its cache, pinyin) is neither read nor built: for `qr lint`, which never searches."""
    config = config or load_config()
    apply_file_cap(config)
    option = str(library) if library else None
    selected = select_profile(profile, config, library_option=option)
    roots = resolve_libraries(option, config, selected)
    if index:
        from qr.index.cache import load_cached
        from qr.index.phrase_index import KnownKeys

        loads = [load_cached(root) for root in roots]
        results = [load.result for load in loads]
        cached_keys = {
            id(group): KnownKeys(group, load.keys[group.path])
            for load in loads
            for group in load.result.library.groups
            if group.path in load.keys
        }
    else:  # parsed only: `qr lint` imports none of the index code (~10 ms of a cold lint)
        loads, results, cached_keys = [], [load_library(root) for root in roots], {}
    problems = [problem for result in results for problem in result.problems]
    if len(results) > 1:
        from qr.record import replace

        # several libraries: a relative file name alone would not say which library it is in
        problems = [
            replace(problem, file=result.library.root / problem.file)
            for result in results
            for problem in result.problems
        ]
    return Workspace(
        config=config,
        library=results[0].library,
        problems=tuple(problems),
        shared_libraries=tuple(result.library for result in results[1:]),
        profile=selected,
        _cached_keys=cached_keys,
        _cached=loads[0] if loads else None,
    )
