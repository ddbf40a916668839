"""Applications, records and ratings of the embedded platform (methods of ``Ops``)."""

from __future__ import annotations

import json

from tvportal.platform import eligibility, services
from tvportal.platform.models import (
    BAD_RATING_REASONS, RATING_LEVELS, Application, Conflict, NotFound, PlatformError, Rating, RecordTable, Step)
from tvportal.platform.interface import RECORD_KINDS


def _check_actor(self, actor_id: str, person_id: str) -> None:
    """The actor is the person, or has the person's recorded consent on some device."""
    self.person(person_id)
    if actor_id == person_id:
        return
    if self.conn.execute("SELECT 1 FROM proxies WHERE actor_id = ? AND person_id = ?",
                         (actor_id, person_id)).fetchone() is None:
        raise PlatformError("no_consent", "您还没有得到这位家人的同意，不能替他（她）办理")


def apply(self, actor_id: str, person_id: str, service_id: str, fields: dict[str, str]) -> Application:
    """Submit an application; 即办件 finish at once."""
    self._check_actor(actor_id, person_id)
    service = self.service(service_id)
    if service.kind != "handling" or service_id not in services.FORMS:
        raise NotFound("no_service", "这项服务不能在电视上申请")
    _check_eligible(self, person_id, service_id)
    problems = services.check_fields(service_id, fields)
    if problems:
        name, message = next(iter(problems.items()))
        raise PlatformError("bad_field", message, name)
    form = services.FORMS[service_id]
    now = self.clock()
    stamp = now.strftime("%Y-%m-%d %H:%M")
    steps = [Step(name, stamp if i == 0 else "") for i, name in enumerate(form.steps)]
    status = "submitted"
    if form.promise_days == 0:
        steps = [Step(name, stamp, "即时办结" if name == "办结" else "") for name in form.steps]
        status = "finished"
    promise = services.add_working_days(now.date(), form.promise_days)
    number = f"BJ{now:%y%m%d}{self._next('application'):04d}"
    clean = {f.name: fields[f.name] for f in form.fields}
    self.conn.execute("INSERT INTO applications VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
                      (number, service_id, person_id, actor_id, status, stamp, promise.isoformat(),
                       json.dumps(clean), json.dumps([s.__dict__ for s in steps], ensure_ascii=False)))
    self._audit(actor_id, person_id, "apply", f"{number} {service_id}")
    return self.application(number)


def _check_eligible(self, person_id: str, service_id: str) -> None:
    """Refuse what the person may not apply for (age, once a year) and a second open application."""
    number = self.conn.execute("SELECT id_number FROM people WHERE id = ?", (person_id,)).fetchone()[0]
    history = [eligibility.Past(r["number"], r["service_id"], r["status"], r["submitted"]) for r in self.conn.execute(
        "SELECT number, service_id, status, submitted FROM applications WHERE person_id = ?", (person_id,))]
    verdict = eligibility.judge(service_id, eligibility.birth_date(number), history, self.clock().date())
    if verdict.open_number:
        raise Conflict("duplicate", verdict.reason, "service")
    if not verdict.allowed:
        raise Conflict("not_eligible", verdict.reason, "service")


def application(self, number: str) -> Application:
    """One application with its steps."""
    row = self.conn.execute("SELECT * FROM applications WHERE number = ?", (number.strip().upper(),)).fetchone()
    if row is None:
        raise NotFound("no_application", "没有找到这个办件编号，请核对后重新输入", "number")
    person = self.person(row["person_id"])
    return Application(row["number"], row["service_id"], self.service(row["service_id"]).short_name,
                       row["person_id"], person.name, row["actor_id"], row["status"], row["submitted"],
                       row["promise_date"], json.loads(row["fields"]),
                       [Step(**s) for s in json.loads(row["steps"])], bool(row["rated"]))


def applications(self, person_id: str) -> list[Application]:
    """A person's applications, newest first."""
    rows = self.conn.execute("SELECT number FROM applications WHERE person_id = ? ORDER BY submitted DESC, number DESC",
                             (person_id,)).fetchall()
    return [self.application(r["number"]) for r in rows]


def records(self, person_id: str, kind: str) -> RecordTable:
    """A personal record table."""
    if kind not in RECORD_KINDS:
        raise NotFound("no_record", "没有这类记录")
    self.person(person_id)
    row = self.conn.execute("SELECT data FROM records WHERE person_id = ? AND kind = ?", (person_id, kind)).fetchone()
    if row is None:
        return RecordTable(kind, "", [], [], ["没有查到记录"])
    return RecordTable(kind=kind, **json.loads(row["data"]))


def rate(self, actor_id: str, person_id: str, target_type: str, target: str, level: int, reason: str) -> Rating:
    """Rate a finished booking or application once."""
    self._check_actor(actor_id, person_id)
    levels = dict(RATING_LEVELS)
    if level not in levels:
        raise PlatformError("bad_level", "请选择五个评价等级中的一个", "level")
    reasons = dict(BAD_RATING_REASONS)
    if level <= 2 and reason not in reasons:
        raise PlatformError("need_reason", "请选择不满意的原因", "reason")
    if level > 2:
        reason = ""
    if target_type == "booking":
        target_obj = self._booking(target)
    elif target_type == "application":
        target_obj = self.application(target)
    else:
        raise NotFound("no_target", "只能评价预约或办件")
    if target_obj.person_id != person_id:
        raise NotFound("no_target", "没有找到要评价的事项")
    if target_obj.status != "finished":
        raise Conflict("not_finished", "办完以后才能评价")
    table = "bookings" if target_type == "booking" else "applications"
    if self.conn.execute(f"SELECT rated FROM {table} WHERE number = ?", (target_obj.number,)).fetchone()[0]:
        raise Conflict("already_rated", "这件事已经评价过了，谢谢您")
    number = f"PJ{self.clock():%y%m%d}{self._next('rating'):04d}"
    stamp = self._stamp()
    self.conn.execute("INSERT INTO ratings VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                      (number, target_type, target_obj.number, level, reason, person_id, actor_id, stamp))
    self.conn.execute(f"UPDATE {table} SET rated = 1 WHERE number = ?", (target_obj.number,))
    self._audit(actor_id, person_id, "rate", f"{number} {target_obj.number} {level}")
    return Rating(number, target_type, target_obj.number, level, levels[level], reasons.get(reason, ""),
                  person_id, actor_id, stamp)
