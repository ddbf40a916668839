"""A publish checks references by reading only what the change involves, not every stored guide.

The narrowed check (content/reference_scope.py) must name exactly the problems the whole-store check names,
and an editor publish must do the same database work with a few hundred guides as with a few.
"""

from __future__ import annotations

from sqlalchemy import event

from content import store
from content.generate import generated_guides
from content.integrity import check_references
from content.model import to_plain
from content.reference_scope import added_problems
from tests.editor_support import csrf_of, form_of, make_users, replace, revision_of, sign_in
from tvportal.app import create_app
from tvportal.database import open_database, prepare
from tvportal.keys import DB
from tvportal.settings import load_settings


def whole_store_check(conn, kind, item_id, record):
    """The problems a change adds, by checking every stored record before and after (the reference answer)."""
    current = store.load_references(conn)
    changed = [r for r in current if not (r.KIND == kind and r.id == item_id)] + ([record] if record else [])
    before = set(check_references(current))
    return [p for p in check_references(changed) if p not in before]


def seeded(tmp_path, n: int, url: str = ""):
    """Settings of a database holding the demo plus ``n`` generated guides."""
    settings = load_settings({"data_dir": str(tmp_path / "data"), "database_url": url}, environ={})
    db = open_database(settings)
    prepare(db, settings)
    db.write_sync(store.put_many, generated_guides(n))
    return settings, db


def changed(conn, kind, item_id, **fields):
    """A stored record with ``fields`` changed, as the model validates it."""
    return store.KINDS[kind].from_dict({**store.load_plain(conn, kind, item_id), **fields})


def code(i: int) -> str:
    """The 实施编码 of generated guide ``i``."""
    return generated_guides(i + 1)[i].implementation_code


CASES = [
    ("renamed guide", "guide", "gen00010", lambda c: changed(c, "guide", "gen00010", name="新名字"), False),
    ("duplicate code", "guide", "gen00010", lambda c: changed(c, "guide", "gen00010", implementation_code=code(3)), True),
    ("code already shared, renamed", "guide", "gen00021", lambda c: changed(c, "guide", "gen00021", name="又改"), True),
    ("first of a shared code removed", "guide", "gen00020", lambda c: None, True),
    ("missing hall", "guide", "gen00011", lambda c: changed(c, "guide", "gen00011", hall_ids=["LA-01", "nowhere"]), True),
    ("guide named by a policy removed", "guide", "h1", lambda c: None, True),
    ("guide named by a hall removed", "guide", "b1", lambda c: None, True),
    ("unnamed guide removed", "guide", "gen00012", lambda c: None, False),
    ("hall named by guides removed", "hall", "LA-01", lambda c: None, True),
    ("hall naming a missing guide", "hall", "LA-02",
     lambda c: changed(c, "hall", "LA-02", services=[*store.load_plain(c, "hall", "LA-02")["services"], "gen99999"]), True),
    ("hall naming generated guides", "hall", "LA-02", lambda c: changed(c, "hall", "LA-02", services=["gen00001", "h1"]), False),
    ("policy naming a missing guide", "policy", None, lambda c: None, True),
]


def test_the_narrowed_check_names_what_the_whole_check_names(tmp_path, db_url):
    """For publishing and removing guides, halls and policies — including a 实施编码 shared by three guides, where
    removing the first makes the third a duplicate of the second — both checks give the same problems."""
    settings, db = seeded(tmp_path, 40, db_url)
    shared = generated_guides(23)[20:]  # three guides with one 实施编码: a problem before any change
    db.write_sync(store.put_many, [type(g).from_dict({**to_plain(g), "implementation_code": code(20)}) for g in shared])
    policy_id = db.read_sync(store.load_all, "policy")[0].id
    try:
        for label, kind, item_id, make, broken in CASES:
            if label.startswith("policy"):
                item_id = policy_id
                make = lambda c: changed(c, "policy", policy_id, related_guides=["h1", "nosuch"])  # noqa: E731
            expected = db.read_sync(lambda c: whole_store_check(c, kind, item_id, make(c)))
            found = db.read_sync(lambda c: added_problems(c, kind, item_id, make(c)))
            assert found == expected, label
            assert bool(found) == broken, (label, found)
    finally:
        db.close()


class WorkCounter:
    """SQLite virtual-machine steps of the portal's connections while switched on: a measure of the rows the
    database reads, whatever the statements look like."""

    def __init__(self, engine) -> None:
        """Count on every connection ``engine`` hands out from now on."""
        self.steps, self.on = 0, False
        event.listen(engine, "before_cursor_execute", self._arm)

    def _tick(self) -> int:
        """One more batch of 10 steps (0: go on)."""
        if self.on:
            self.steps += 10
        return 0

    def _arm(self, conn, *_args) -> None:
        """Install the step counter on the raw SQLite connection (setting it again is harmless)."""
        conn.connection.dbapi_connection.set_progress_handler(self._tick, 10)


async def database_work_of_a_publish(aiohttp_client, tmp_path, n: int) -> int:
    """Database steps of one editor publish of a changed guide, with ``n`` generated guides stored."""
    settings, db = seeded(tmp_path / str(n), n)
    db.close()
    settings = settings.replace(review_required=False)  # the publish itself is measured, not the review before it
    make_users(settings)
    app = create_app(settings)
    client = await aiohttp_client(app)
    assert (await sign_in(client, "pub")).status == 303
    counter = WorkCounter(app[DB].engine)
    path = "/editor/guide/gen00002"
    text = await (await client.get(path)).text()
    await client.post(path, data=[*replace(form_of(text), name="改过的名字"), ("_action", "save")], allow_redirects=False)
    text = await (await client.get(path)).text()
    counter.on = True
    response = await client.post(f"{path}/publish", data={"_csrf": csrf_of(text), "_revision": str(revision_of(text))},
                                 allow_redirects=False)
    counter.on = False
    assert response.status == 303
    assert "改过的名字" in await (await client.get("/guides/gen00002")).text()
    return counter.steps


async def test_a_publish_does_not_read_every_guide(aiohttp_client, tmp_path):
    """With 400 guides a publish makes the database do about what it does with 5 (reading them all would be
    some 80 times the work)."""
    few = await database_work_of_a_publish(aiohttp_client, tmp_path, 5)
    many = await database_work_of_a_publish(aiohttp_client, tmp_path, 400)
    assert few > 0
    assert many < few * 1.5, (few, many)
