"""The statuses an answer can have, as `schema/answers.schema.json` defines them.

The schema's `$defs/status` is the only place they are written: the order of its `oneOf`
is the order the status list shows, and each status's `x-scale` is its place on the scale
from not yet discussed to settled that the compare page measures spread on. The build reads
them from there for the templates and, through `assets/bank.js`, for the browser code; their
labels are in each language's strings table.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from problems import Origin, Problem, SchemaError

ANSWERS_SCHEMA = Path(__file__).resolve().parent.parent / "schema" / "answers.schema.json"


@dataclass(frozen=True)
class Status:
    id: str
    scale: int

    @property
    def discussed(self) -> bool:
        """Every status but the first counts as discussed in progress."""
        return self.scale > 0


def read(raw: bytes, shown: str = "schema/answers.schema.json") -> tuple[Status, ...]:
    """The statuses, in the order the list shows them, from the schema's bytes."""
    where = Origin(shown)
    fix = 'give $defs.status a "oneOf" of {"const": "<id>", "x-scale": <n>}, the first at scale 0'
    try:
        listed = json.loads(raw)["$defs"]["status"]["oneOf"]
        statuses = tuple(Status(item["const"], item["x-scale"]) for item in listed)
    except (ValueError, KeyError, TypeError) as e:
        raise SchemaError(Problem(where, f"has no list of statuses ({type(e).__name__}: {e})", fix)) from None
    scales = sorted(s.scale for s in statuses)
    if not statuses or scales != list(range(len(statuses))) or statuses[0].scale != 0:
        raise SchemaError(Problem(where, "the statuses' x-scale must number them 0, 1, 2 ... with the first at 0", fix))
    if len({s.id for s in statuses}) != len(statuses) or not all(isinstance(s.id, str) for s in statuses):
        raise SchemaError(Problem(where, "each status needs an id of its own", fix))
    return statuses
