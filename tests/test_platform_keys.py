"""Idempotency keys and nonces at the central platform (issue 11, finding 10): the key is part of the
signature, keys are scoped per person, and the simulator remembers seen nonces across a restart."""

from __future__ import annotations

import aiohttp

from tests.browser import free_port
from tests.platform_helpers import PEOPLE, SECRET, sim_process, stop
from tests.storage_support import platform_db
from tests.test_platform_http import _signed, sim  # noqa: F401  (the in-process simulator fixture)
from tvportal.platform import services
from tvportal.platform.embedded import EmbeddedPlatform
from tvportal.platform.signing import sign

BODY = ('{"id_number": "%s", "purpose": "login"}' % PEOPLE["wang"]).encode()


def _slot(hall: str, day_index: int = 1) -> str:
    """A slot id of service b1 on a coming working day."""
    day = services.working_days(services.now().date())[day_index]
    return f"{hall}.b1.{day:%Y%m%d}.0900"


async def test_the_idempotency_key_is_signed(sim):  # noqa: F811
    """A signed write whose Idempotency-Key was changed on the way is refused; the signed key passes."""
    url, _knobs, _path = sim
    path = "/v1/bookings"
    body = ('{"actor_id": "P1", "person_id": "P1", "slot_id": "%s"}' % _slot("LA-02")).encode()
    async with aiohttp.ClientSession() as s:
        headers = dict(sign(SECRET, "POST", path, body, "tvportal", key="key-one"))
        assert headers["Idempotency-Key"] == "key-one"
        headers["Idempotency-Key"] = "key-two"
        assert (await _signed(s, url, "POST", path, body, headers=headers))[0] == 401
        good = sign(SECRET, "POST", path, body, "tvportal", key="key-one")
        assert (await _signed(s, url, "POST", path, body, headers=good))[0] == 200


async def test_keys_are_scoped_per_person(tmp_path):
    """The same key from another person books for that person; it never returns the first person's booking."""
    db = platform_db(tmp_path / "p.sqlite3")
    platform = EmbeddedPlatform(db)
    first = await platform.create_booking("P1", "P1", _slot("LA-02"), "shared-key")
    second = await platform.create_booking("P3", "P3", _slot("LA-03"), "shared-key")
    assert first.person_id == "P1" and second.person_id == "P3" and second.number != first.number
    again = await platform.create_booking("P1", "P1", _slot("LA-02"), "shared-key")
    assert again.number == first.number  # the person's own retry still gives the first answer
    db.close()


def test_a_replay_after_a_simulator_restart_is_refused(tmp_path):
    """Seen nonces are kept in the simulator's database for their window: a restart does not forget them."""
    import urllib.error
    import urllib.request

    port = free_port()
    db = tmp_path / "central.sqlite3"
    headers = sign(SECRET, "POST", "/v1/identity/sms-codes", BODY, "tvportal")

    def send() -> int:
        """Send the one signed request; its status."""
        request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/identity/sms-codes", data=BODY,
                                         headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as resp:
                return resp.status
        except urllib.error.HTTPError as exc:
            return exc.code

    proc = sim_process(port, db)
    try:
        assert send() == 200
    finally:
        stop(proc)
    proc = sim_process(port, db)
    try:
        assert send() == 401
    finally:
        stop(proc)
