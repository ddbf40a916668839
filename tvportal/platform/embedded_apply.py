"""Applications, records and ratings of the embedded platform (methods of ``Ops``)."""

from __future__ import annotations

import json

from sqlalchemy import insert, select, update

from tvportal.platform import eligibility, services
from tvportal.platform.models import (
    BAD_RATING_REASONS, RATING_LEVELS, Application, Conflict, NotFound, PlatformError, Rating, RecordTable, Step)
from tvportal.platform.interface import RECORD_KINDS
from tvportal.storage.tables import (
    platform_applications as applications_t, platform_bookings, platform_people, platform_proxies, platform_ratings,
    platform_records)


def _check_actor(self, actor_id: str, person_id: str) -> None:
    """The actor is the person, or has the person's recorded consent on some device."""
    self.person(person_id)
    if actor_id == person_id:
        return
    if self.conn.execute(select(platform_proxies.c.device_id).where(
            platform_proxies.c.actor_id == actor_id, platform_proxies.c.person_id == person_id)).first() is None:
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
    self.conn.execute(insert(applications_t).values(
        number=number, service_id=service_id, person_id=person_id, actor_id=actor_id, status=status,
        submitted=stamp, promise_date=promise.isoformat(), fields=json.dumps(clean),
        steps=json.dumps([s.__dict__ for s in steps], ensure_ascii=False), rated=0))
    self._audit(actor_id, person_id, "apply", f"{number} {service_id}")
    return self.application(number)


def _check_eligible(self, person_id: str, service_id: str) -> None:
    """Refuse what the person may not apply for (age, once a year) and a second open application."""
    number = self.conn.execute(select(platform_people.c.id_number).where(platform_people.c.id == person_id)).scalar()
    a = applications_t.c
    history = [eligibility.Past(r["number"], r["service_id"], r["status"], r["submitted"]) for r in self.all(
        select(a.number, a.service_id, a.status, a.submitted).where(a.person_id == person_id))]
    verdict = eligibility.judge(service_id, eligibility.birth_date(number), history, self.clock().date())
    if verdict.open_number:
        raise Conflict("duplicate", verdict.reason, "service")
    if not verdict.allowed:
        raise Conflict("not_eligible", verdict.reason, "service")


def application(self, number: str) -> Application:
    """One application with its steps."""
    row = self.one(select(applications_t).where(applications_t.c.number == number.strip().upper()))
    if row is None:
        raise NotFound("no_application", "没有找到这个办件编号，请核对后重新输入", "number")
    person = self.person(row["person_id"])
    return Application(row["number"], row["service_id"], self.service(row["service_id"]).short_name,
                       row["person_id"], person.name, row["actor_id"], row["status"], row["submitted"],
                       row["promise_date"], json.loads(row["fields"]),
                       [Step(**s) for s in json.loads(row["steps"])], bool(row["rated"]))


def applications(self, person_id: str) -> list[Application]:
    """A person's applications, newest first."""
    numbers = self.conn.execute(select(applications_t.c.number).where(applications_t.c.person_id == person_id)
                                .order_by(applications_t.c.submitted.desc(), applications_t.c.number.desc())).scalars()
    return [self.application(number) for number in numbers.all()]


def records(self, person_id: str, kind: str) -> RecordTable:
    """A personal record table."""
    if kind not in RECORD_KINDS:
        raise NotFound("no_record", "没有这类记录")
    self.person(person_id)
    data = self.conn.execute(select(platform_records.c.data).where(platform_records.c.person_id == person_id,
                                                                   platform_records.c.kind == kind)).scalar()
    if data is None:
        return RecordTable(kind, "", [], [], ["没有查到记录"])
    return RecordTable(kind=kind, **json.loads(data))


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
    table = platform_bookings if target_type == "booking" else applications_t
    if self.conn.execute(select(table.c.rated).where(table.c.number == target_obj.number)).scalar_one():
        raise Conflict("already_rated", "这件事已经评价过了，谢谢您")
    number = f"PJ{self.clock():%y%m%d}{self._next('rating'):04d}"
    stamp = self._stamp()
    self.conn.execute(insert(platform_ratings).values(
        number=number, target_type=target_type, target_number=target_obj.number, level=level, reason=reason,
        person_id=person_id, actor_id=actor_id, created=stamp))
    self.conn.execute(update(table).where(table.c.number == target_obj.number).values(rated=1))
    self._audit(actor_id, person_id, "rate", f"{number} {target_obj.number} {level}")
    return Rating(number, target_type, target_obj.number, level, levels[level], reasons.get(reason, ""),
                  person_id, actor_id, stamp)
