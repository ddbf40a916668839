"""Building a big search segment in a child process, so the serving process stays free for TV pages.

Indexing 10,000 imported guides (pinyin of every name, grams of every text) is many seconds of pure
Python: in a worker thread of the portal it still holds the GIL most of that time and TV pages wait.  A
child process (``python -m content.segment_worker``) builds the segment from what the index reads of
each record (kind, id, popularity and the texts of its three field ranks, sent as a pickle on stdin) and
sends it back without records, in parts (``dump_parts``): each gram index is unpickled on its own, with a
pause between them in which the event loop runs, so loading never holds the GIL for long.  The parent
attaches its own records by (kind, id).  If the child fails, the segment is built here.
"""

from __future__ import annotations

import logging
import os
import pickle
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from content.search import Segment, _fields

log = logging.getLogger(__name__)
ROOT = str(Path(__file__).resolve().parent.parent)  # the folder content/ is in: the child's import path
TIMEOUT = 600.0
State = tuple[dict[str, Any], list[tuple[str, str]]]


class _Stub:
    """What a segment reads of a record, sent to the child instead of the record itself."""

    __slots__ = ("KIND", "id", "popularity", "fields")

    def __init__(self, kind: str, rid: str, popularity: int, fields: tuple) -> None:
        """One record's kind, id, popularity and (names, topics, texts)."""
        self.KIND, self.id, self.popularity, self.fields = kind, rid, popularity, fields


def dump_parts(state: State) -> bytes:
    """A segment's ``state()`` as a pickle of separately pickled parts (one per gram index)."""
    fields, keys = state
    parts = {"": pickle.dumps(keys, pickle.HIGHEST_PROTOCOL)}
    for name, value in fields.items():
        items = enumerate(value) if isinstance(value, list) else ((None, value),)
        for i, item in items:
            parts[name if i is None else f"{name}.{i}"] = pickle.dumps(item, pickle.HIGHEST_PROTOCOL)
    return pickle.dumps(parts, pickle.HIGHEST_PROTOCOL)


def load_parts(data: bytes, pause: Callable[[], None] = lambda: time.sleep(0.001)) -> State:
    """The state written by ``dump_parts`` (only ever data this code wrote), calling ``pause`` between parts:
    in a worker thread the sleep lets go of the GIL, so TV pages are answered between two parts."""
    fields: dict[str, Any] = {}
    keys: list[tuple[str, str]] = []
    for name, raw in pickle.loads(data).items():
        value = pickle.loads(raw)
        pause()
        if not name:
            keys = value
        elif "." in name:
            fields.setdefault(name.split(".", 1)[0], []).append(value)  # parts of a list come in order
        else:
            fields[name] = value
    return fields, keys


def build_parts(records: list[Any], topics: dict[str, list[str]]) -> bytes:
    """The ``dump_parts`` of the segment of ``records``, built by a child process (here if that fails)."""
    stubs = [(r.KIND, r.id, getattr(r, "popularity", 0), _fields(r, topics)) for r in records]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([ROOT, *filter(None, [os.environ.get("PYTHONPATH")])])}
    try:
        done = subprocess.run([sys.executable, "-m", "content.segment_worker"], input=pickle.dumps(stubs, 5),
                              capture_output=True, env=env, timeout=TIMEOUT, check=True)
        return done.stdout
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("search segment not built in a child process (%s); building it here", exc)
        return dump_parts(Segment(records, topics).state())


def build_elsewhere(records: list[Any], topics: dict[str, list[str]]) -> Segment:
    """The segment of ``records`` built by a child process (the same as ``Segment(records, topics)``)."""
    try:
        state = load_parts(build_parts(records, topics))
    except (pickle.UnpicklingError, ValueError, EOFError) as exc:
        log.warning("search segment from the child process not readable (%s); building it here", exc)
        return Segment(records, topics)
    return Segment.restore(*state, {(r.KIND, r.id): r for r in records})


def _child() -> None:
    """Read the stubs from stdin, write the built segment's parts to stdout (pickles of this code only)."""
    stubs = [_Stub(*values) for values in pickle.loads(sys.stdin.buffer.read())]
    segment = Segment(stubs, {}, fields_of=lambda stub: stub.fields)
    sys.stdout.buffer.write(dump_parts(segment.state()))


if __name__ == "__main__":
    _child()
