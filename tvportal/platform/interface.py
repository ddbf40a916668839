"""The ``Platform`` interface: what the portal asks of the central platform.

Two implementations: ``EmbeddedPlatform`` (SQLite inside the portal, the default) and
``HttpPlatform`` (the province's platform over signed HTTP, when ``central_url`` is set).
Every write takes an idempotency key: the same key twice gives the first result again.
``actor_id`` is who pressed the buttons, ``person_id`` whom it is for (帮家人办).
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from tvportal.platform.models import (
    Application, Booking, DeviceLink, HallInfo, LoginTicket, Person, Rating, RecordTable, Service, Slot, SmsSent)

RECORD_KINDS = ("pension", "social_insurance", "medical_insurance", "provident_fund")


@runtime_checkable
class Platform(Protocol):
    """Identity, catalog, bookings, applications, records and ratings."""

    async def catalog(self) -> list[Service]:
        """The TV services (1 booking, 7 handling, 5 query)."""

    async def halls(self) -> list[HallInfo]:
        """Every hall."""

    async def start_qr_login(self, device_id: str) -> LoginTicket:
        """Open a QR login for a TV; its phone page confirms it."""

    async def qr_login_status(self, ticket: str) -> LoginTicket:
        """Whether the phone has confirmed the ticket (and the device is linked then)."""

    async def confirm_qr_login(self, ticket: str, id_number: str, sms_code: str) -> LoginTicket:
        """The phone side: the citizen confirms the TV login with ID number and SMS code."""

    async def send_sms_code(self, id_number: str, purpose: str) -> SmsSent:
        """Send a one-time code to the phone registered for this ID number."""

    async def login_with_sms(self, device_id: str, id_number: str, sms_code: str) -> DeviceLink:
        """Link a TV to the person with this ID number, proven by the SMS code."""

    async def device(self, device_id: str) -> DeviceLink:
        """Who uses this TV and for whom they may act."""

    async def add_proxy(self, device_id: str, elder_id_number: str, consent_code: str, key: str) -> DeviceLink:
        """帮家人办: let the device's person act for an elder, whose SMS code records consent."""

    async def unlink_device(self, device_id: str) -> None:
        """Forget the people linked to this TV."""

    async def helpers(self, person_id: str) -> list[Person]:
        """The family members who may act for this person (their consent on record), for the elder to see."""

    async def revoke_proxy(self, actor_id: str, person_id: str, key: str) -> None:
        """The person withdraws their consent: ``actor_id`` may no longer act for them, on any TV."""

    async def slots(self, hall_id: str, service_id: str, day: str) -> list[Slot]:
        """The day's slots of a hall and service, with remaining places."""

    async def create_booking(self, actor_id: str, person_id: str, slot_id: str, key: str) -> Booking:
        """Book one place in a slot (capacity enforced; one active booking per person and slot)."""

    async def cancel_booking(self, actor_id: str, person_id: str, number: str, key: str) -> Booking:
        """Cancel a booking until the cut-off before its start."""

    async def reschedule_booking(self, actor_id: str, person_id: str, number: str, slot_id: str,
                                 key: str) -> Booking:
        """Move a booking to another slot in one step; the old place is freed only if the new one is taken."""

    async def bookings(self, person_id: str) -> list[Booking]:
        """A person's bookings, newest first."""

    async def submit_application(self, actor_id: str, person_id: str, service_id: str,
                                 fields: dict[str, str], key: str) -> Application:
        """Submit an application (办件)."""

    async def applications(self, person_id: str) -> list[Application]:
        """A person's applications, newest first."""

    async def application(self, number: str) -> Application:
        """One application with its progress steps."""

    async def records(self, person_id: str, kind: str) -> RecordTable:
        """A personal record: pension, social_insurance, medical_insurance or provident_fund."""

    async def rate(self, actor_id: str, person_id: str, target_type: str, target_number: str, level: int,
                   reason: str, key: str) -> Rating:
        """Rate a finished booking or application (好差评)."""
