"""The search index saved on disk, so that an instance starts in a second instead of re-indexing everything.

Indexing 10,000 guides (pinyin of every name, grams of every text) takes many seconds; loading the saved
gram tables takes a fraction of that.  The file holds the index's segments without the records (their
(kind, id) instead) and the digest of each record's stored JSON when it was indexed.  At start-up the
records read from the database are compared by digest: those that changed or are new since the file was
written are indexed again and those removed are hidden (``SearchIndex.updated``), so a file written before
some publishes is still used.  A file of another code version of the index, or other topics, is ignored.
The file is a cache: deleting it only makes the next start slower.  It is written by the portal itself
(pickle), in its own data folder, and read only from there.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import threading
from pathlib import Path
from typing import Any

from content import search
from content.search import SearchIndex, Segment

log = logging.getLogger(__name__)
FORMAT = hashlib.blake2b(Path(search.__file__).read_bytes(), digest_size=8).hexdigest()  # index code version


def signature(topics: dict[str, list[str]]) -> tuple:
    """What the whole index depends on besides the records: its code and the category topics."""
    return FORMAT, tuple(sorted((k, tuple(v)) for k, v in topics.items()))


def save(path: Path, index: SearchIndex, digests: dict[tuple[str, str], str]) -> None:
    """Write ``index`` (made from records with these digests) to ``path`` atomically."""
    state = {"signature": signature(index.topics), "digests": digests, "hidden": index.hidden,
             "segments": [seg.state() for seg in index.segments]}
    tmp = path.with_name(path.name + f".{os.getpid()}.{threading.get_ident()}.tmp")  # a start-up and a shutdown may both save
    with open(tmp, "wb") as fh:
        pickle.dump(state, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)


def load(path: Path, records: dict[tuple[str, str], Any], digests: dict[tuple[str, str], str],
         topics: dict[str, list[str]]) -> tuple[SearchIndex | None, bool]:
    """The saved index brought up to date with ``records`` (by their ``digests``), and whether the file was
    already up to date; (None, False) when there is none to use."""
    try:
        with open(path, "rb") as fh:
            state = pickle.load(fh)
        if state.get("signature") != signature(topics):
            return None, False
        index = SearchIndex.__new__(SearchIndex)
        index.topics, index.hidden = topics, tuple(state["hidden"])
        index.segments = tuple(Segment.restore(fields, keys, records) for fields, keys in state["segments"])
    except FileNotFoundError:
        return None, False
    except Exception:  # noqa: BLE001 - a damaged or foreign file is rebuilt, never trusted
        log.warning("saved search index %s not usable; indexing everything", path, exc_info=True)
        return None, False
    saved = state["digests"]
    changed = [r for key, r in records.items() if saved.get(key) != digests[key]]
    removed = [key for key in saved if key not in records]
    if changed or removed:
        return index.updated(changed, removed), False
    return index, True
