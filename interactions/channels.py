"""Channel backends for trigger sends (I2): one registry from channel to backend.

A backend gets an `OutgoingMessage` and either returns (the message is handed over: a
`delivery` event) or raises `DeliveryFailed` with the reason. Email goes through Django's
email backend (`EMAIL_BACKEND`: SMTP in production); every other channel prints to the
console until a real gateway is configured. To plug in an SMS or push gateway, write a
`ChannelBackend` subclass and name it in the `CHANNEL_BACKENDS` setting:
`CHANNEL_BACKENDS = {"sms": "myproject.sms.GatewayBackend"}`.
"""

import sys
from abc import ABC, abstractmethod
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string


class DeliveryFailed(Exception):
    """The backend could not hand the message over; the text is recorded as the reason."""


@dataclass(frozen=True)
class OutgoingMessage:
    channel: str
    contact: str  # an email, an E.164 phone, a push token, a chat id
    subject: str
    body: str
    send_id: int


class ChannelBackend(ABC):
    """What a channel's backend (SMS gateway, push service, ...) implements: hand one message
    over, or raise DeliveryFailed saying why."""

    @abstractmethod
    def send(self, message: OutgoingMessage) -> None: ...


class ConsoleBackend(ChannelBackend):
    """Writes the message to standard output: the default, for development."""

    def send(self, message: OutgoingMessage) -> None:
        sys.stdout.write(
            f"[{message.channel} to {message.contact}] {message.subject}\n{message.body}\n"
        )


class EmailBackend(ChannelBackend):
    """Sends through Django's configured email backend."""

    def send(self, message: OutgoingMessage) -> None:
        email = EmailMessage(message.subject, message.body, to=[message.contact])
        try:
            email.send(fail_silently=False)
        except OSError as error:  # SMTP errors are OSErrors (smtplib.SMTPException)
            raise DeliveryFailed(f"email not accepted: {error}") from error


DEFAULT_BACKENDS = {"email": "interactions.channels.EmailBackend"}
FALLBACK = "interactions.channels.ConsoleBackend"


@cache
def _backend(path: str) -> ChannelBackend:
    return import_string(path)()


def backend_for(channel: str) -> ChannelBackend:
    configured = {**DEFAULT_BACKENDS, **getattr(settings, "CHANNEL_BACKENDS", {})}
    return _backend(configured.get(channel, FALLBACK))
