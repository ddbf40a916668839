"""Building a big search segment in a child process, so the serving process stays free for TV pages.

Indexing 10,000 imported guides (pinyin of every name, grams of every text) is many seconds of pure
Python: in a worker thread of the portal it still holds the GIL most of that time and TV pages wait.  A
child process (``python -m content.segment_worker``) builds the segment from what the index reads of
each record (kind, id, popularity and the texts of its three field ranks, sent as a pickle on stdin) and
sends it back without records; the parent attaches its own records by (kind, id).  Unpickling the packed
segment (content/search.py) is a fraction of a second.  If the child fails, the segment is built here.
"""

from __future__ import annotations

import logging
import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

from content.search import Segment, _fields

log = logging.getLogger(__name__)
ROOT = str(Path(__file__).resolve().parent.parent)  # the folder content/ is in: the child's import path
TIMEOUT = 600.0


class _Stub:
    """What a segment reads of a record, sent to the child instead of the record itself."""

    __slots__ = ("KIND", "id", "popularity", "fields")

    def __init__(self, kind: str, rid: str, popularity: int, fields: tuple) -> None:
        """One record's kind, id, popularity and (names, topics, texts)."""
        self.KIND, self.id, self.popularity, self.fields = kind, rid, popularity, fields


def build_elsewhere(records: list[Any], topics: dict[str, list[str]]) -> Segment:
    """The segment of ``records`` built by a child process (the same as ``Segment(records, topics)``)."""
    stubs = [(r.KIND, r.id, getattr(r, "popularity", 0), _fields(r, topics)) for r in records]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([ROOT, *filter(None, [os.environ.get("PYTHONPATH")])])}
    try:
        done = subprocess.run([sys.executable, "-m", "content.segment_worker"], input=pickle.dumps(stubs, 5),
                              capture_output=True, env=env, timeout=TIMEOUT, check=True)
        fields, keys = pickle.loads(done.stdout)
    except (OSError, subprocess.SubprocessError, pickle.UnpicklingError, ValueError) as exc:
        log.warning("search segment not built in a child process (%s); building it here", exc)
        return Segment(records, topics)
    return Segment.restore(fields, keys, {(r.KIND, r.id): r for r in records})


def _child() -> None:
    """Read the stubs from stdin, write the built segment's state to stdout (pickles of this code only)."""
    stubs = [_Stub(*values) for values in pickle.loads(sys.stdin.buffer.read())]
    segment = Segment(stubs, {}, fields_of=lambda stub: stub.fields)
    sys.stdout.buffer.write(pickle.dumps(segment.state(), pickle.HIGHEST_PROTOCOL))


if __name__ == "__main__":
    _child()
