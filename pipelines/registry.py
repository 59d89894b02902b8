"""All sources in one registry: the built-in files and the analyst's own, read the same way."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipelines.errors import SourceDefinitionError
from pipelines.sourcespec import SourceSpec, load_spec

BUILTIN_DIR = Path(__file__).parent / "sources"
_SUFFIXES = (".yaml", ".yml", ".toml")


@dataclass(frozen=True)
class Match:
    spec: SourceSpec
    present: int
    missing: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return not self.missing


class Registry:
    def __init__(self, specs: list[SourceSpec]):
        self.specs = {s.name: s for s in specs}

    @classmethod
    def load(cls, extra_dirs: tuple[Path, ...] = ()) -> "Registry":
        """Read the built-in sources, then each extra folder; a later file of the same name wins.

        Raises:
            SourceDefinitionError: a file is broken, or a folder does not exist.
        """
        specs: dict[str, SourceSpec] = {}
        for folder, builtin in [(BUILTIN_DIR, True), *((d, False) for d in extra_dirs)]:
            if not folder.is_dir():
                raise SourceDefinitionError("sources folder not found", file=folder)
            for path in sorted(folder.iterdir()):
                if path.suffix in _SUFFIXES:
                    spec = load_spec(path, builtin=builtin)
                    specs[spec.name] = spec
        return cls(list(specs.values()))

    def get(self, name: str) -> SourceSpec:
        try:
            return self.specs[name]
        except KeyError:
            raise SourceDefinitionError(
                f"no source named {name!r}", expected=", ".join(sorted(self.specs)),
                hint="see `okrfunnel sources list`",
            ) from None

    def rank(self, headings: list[str]) -> list[Match]:
        """Every source scored against a header, best first."""
        present = {_norm(h) for h in headings}
        matches = []
        for spec in self.specs.values():
            missing = tuple(dict.fromkeys(
                group[0]
                for canon in spec.required
                for group in (spec.columns[canon].headings, spec.columns[canon].when_column)
                if group and not any(_norm(h) in present for h in group)
            ))
            found = sum(
                any(_norm(h) in present for h in m.headings) for m in spec.columns.values()
            )
            matches.append(Match(spec, found, missing))
        # Complete matches first, the most specific of them first (a generic source must not win
        # over a tool's own format); then the nearest misses by the share of required headings
        # present, so a source needing one heading does not look closest to everything.
        return sorted(matches, key=lambda m: (
            bool(m.missing), -(1 - len(m.missing) / max(len(m.spec.required), 1)), -m.present,
            m.spec.builtin is False, m.spec.name,
        ))

    def recognise(self, headings: list[str]) -> SourceSpec | None:
        best = self.rank(headings)
        return best[0].spec if best and best[0].complete else None


def _norm(heading: str) -> str:
    return " ".join(heading.strip().lower().split())


def find_headings(spec_headings: tuple[str, ...], headings: list[str]) -> list[str]:
    """The export's own spelling of each candidate heading it has, in the candidates' order."""
    by_norm = {_norm(h): h for h in headings}
    return [by_norm[_norm(c)] for c in spec_headings if _norm(c) in by_norm]
