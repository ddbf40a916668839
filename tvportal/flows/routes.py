"""URL map of the TV flows (booking, handling, queries, rating, identity) and the phone page."""

from __future__ import annotations

from aiohttp import web

from tvportal.flows import booking, handling, identity, queries, queued, signin_pin, signin_sms
from tvportal.copilot.phone import setup_phone
from tvportal.copilot.tv import setup_tv
from tvportal.flows.state import pruning_ctx
from tvportal.keys import PLATFORM
from tvportal.platform.phone_page import add_phone_routes
from tvportal.views import me


def setup_flow_routes(app: web.Application) -> None:
    """Register the flows' routes and their per-device state."""
    app.cleanup_ctx.append(pruning_ctx)
    r = app.router
    r.add_get("/id", identity.start)
    r.add_get("/id/continue", identity.go_on)
    r.add_get("/id/qr", identity.qr)
    r.add_get("/id/qr/check", identity.qr_check)
    r.add_get("/id/enter/{what}", signin_sms.enter)
    r.add_post("/id/enter/{what}", signin_sms.press)
    r.add_post("/id/sms/{what}", signin_sms.resend)
    r.add_get("/id/remember", signin_pin.offer)
    for path, handler in (("/id/newpin", signin_pin.new_pin), ("/id/newpin/again", signin_pin.new_pin),
                          ("/id/pin/{person}", signin_pin.pin)):
        r.add_get(path, handler)
        r.add_post(path, handler)
    r.add_get("/id/forget", signin_pin.forget_page)
    r.add_post("/id/forget", signin_pin.forget)
    r.add_get("/id/other", identity.other_way)
    r.add_get("/id/who", identity.choose_who)
    r.add_post("/id/who", identity.set_who)
    r.add_get("/id/family", identity.family)
    r.add_get("/id/family/revoke", identity.revoke_ask)
    r.add_post("/id/family/revoke", identity.revoke)
    r.add_post("/id/logout", identity.logout)
    r.add_get("/me", me.me)
    r.add_get("/booking/guide/{guide}", booking.guide)
    r.add_get("/booking/halls", booking.halls)
    r.add_get("/booking/h/{hall}", booking.days)
    r.add_get("/booking/h/{hall}/soon", booking.soonest)
    r.add_get("/booking/h/{hall}/{day}", booking.slots)
    r.add_get("/booking/s/{slot}", booking.confirm)
    r.add_post("/booking/s/{slot}", booking.book)
    r.add_get("/booking/r/{number}", booking.receipt)
    r.add_get("/booking/mine", booking.mine)
    r.add_get("/booking/b/{number}", booking.detail)
    r.add_get("/booking/b/{number}/cancel", booking.cancel_page)
    r.add_post("/booking/b/{number}/cancel", booking.cancel)
    r.add_get("/apply", handling.service_list)
    r.add_get("/apply/mine", handling.mine)
    r.add_get("/apply/a/{number}", handling.progress)
    r.add_get("/apply/{service}", handling.service_start)
    r.add_get("/apply/{service}/for", handling.for_whom)
    r.add_post("/apply/{service}/for", handling.set_for_whom)
    r.add_get("/apply/{service}/check", handling.check)
    r.add_get("/apply/{service}/q/{index}", handling.question)
    r.add_post("/apply/{service}/q/{index}", handling.answer)
    r.add_get("/apply/{service}/confirm", handling.confirm)
    r.add_post("/apply/{service}/confirm", handling.submit)
    r.add_get("/lookup", queries.query_list)
    r.add_get("/lookup/{query}", queries.query_start)
    r.add_get("/lookup/{query}/result", queries.record)
    r.add_get("/rate/{kind}/{number}", queries.rate_page)
    r.add_post("/rate/{kind}/{number}", queries.rate)
    r.add_get("/flow/queued/{reference}", queued.receipt)
    add_phone_routes(app, lambda a: a[PLATFORM])
    setup_tv(app)  # 远程帮办 (tvportal/copilot/)
    setup_phone(app)
