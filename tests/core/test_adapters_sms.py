"""SMS through a local server speaking Twilio's Messages API: form POST with basic auth, and the
provider's answers mapped to transient or permanent failures."""

from __future__ import annotations

import pytest

from core.adapters.sms import TwilioSmsAdapter
from core.config import SmsSettings
from core.notifications.models import Purpose
from core.notifications.ports import Outgoing, PermanentError, TransientError
from tests.fakes.smtp import free_port
from tests.fakes.twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio

PHONE = "+380501234567"


def text_message(**overrides) -> Outgoing:
    values = dict(message_id=1, kind="order_shipped", purpose=Purpose.ORDER, channel="sms", locale="en",
                  personal={"phone": PHONE}, text="gearshop: order GS-1 shipped.")
    values.update(overrides)
    return Outgoing(**values)


@pytest.fixture
async def twilio():
    async with FakeTwilio() as server:
        yield server


@pytest.fixture
async def sms(twilio):
    adapter = TwilioSmsAdapter(SmsSettings(adapter="twilio", api_base=twilio.url, account_sid=ACCOUNT_SID,
                                           auth_token=AUTH_TOKEN, sender="+15005550006"))
    yield adapter
    await adapter.close()


async def test_a_text_message_is_posted_with_basic_auth(sms, twilio):
    result = await sms.send(text_message())
    assert twilio.sent == [{"To": PHONE, "From": "+15005550006", "Body": "gearshop: order GS-1 shipped."}]
    assert result.provider_id.startswith("SM")


async def test_a_messaging_service_sends_in_place_of_a_from_number(twilio):
    service = "MG" + "0123456789abcdef" * 2
    adapter = TwilioSmsAdapter(SmsSettings(adapter="twilio", api_base=twilio.url, account_sid=ACCOUNT_SID,
                                           auth_token=AUTH_TOKEN, sender=service))
    try:
        await adapter.send(text_message())
    finally:
        await adapter.close()
    assert twilio.sent == [{"To": PHONE, "MessagingServiceSid": service, "Body": "gearshop: order GS-1 shipped."}]


async def test_an_invalid_number_is_permanent_and_the_number_stays_out_of_the_error(sms, twilio):
    twilio.fail(400, 21211, f"The 'To' number {PHONE} is not a valid phone number.")
    with pytest.raises(PermanentError, match="21211") as failure:
        await sms.send(text_message())
    assert PHONE not in str(failure.value)


@pytest.mark.parametrize(("status", "code"), [
    (400, 21610),  # the recipient replied STOP
    (400, 21614),  # not a mobile number
    (400, 21408),  # sending to that region is not enabled
    (401, 20003),  # authentication failed
    (404, 20404),  # no such account
])
async def test_refusals_that_waiting_will_not_cure_are_permanent(sms, twilio, status, code):
    twilio.fail(status, code, "refused")
    with pytest.raises(PermanentError, match=str(code)):
        await sms.send(text_message())
    await sms.send(text_message())  # the next message is not affected
    assert len(twilio.sent) == 1


@pytest.mark.parametrize(("status", "code"), [(429, 20429), (500, None), (503, 20503), (400, 30001)])
async def test_busy_or_broken_provider_is_transient(sms, twilio, status, code):
    twilio.fail(status, code, "try later", headers={"Retry-After": "30"} if status == 429 else None)
    with pytest.raises(TransientError) as failure:
        await sms.send(text_message())
    assert failure.value.retry_after == (30.0 if status == 429 else None)
    assert twilio.sent == []


async def test_wrong_credentials_are_permanent_and_the_token_is_never_shown(twilio):
    adapter = TwilioSmsAdapter(SmsSettings(adapter="twilio", api_base=twilio.url, account_sid=ACCOUNT_SID,
                                           auth_token="not-the-token", sender="+15005550006"))
    try:
        with pytest.raises(PermanentError, match="20003") as failure:
            await adapter.send(text_message())
    finally:
        await adapter.close()
    assert "not-the-token" not in str(failure.value)


async def test_an_unreachable_provider_is_transient_and_nothing_left():
    adapter = TwilioSmsAdapter(SmsSettings(adapter="twilio", api_base=f"http://127.0.0.1:{free_port()}",
                                           account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, sender="+15005550006"))
    try:
        with pytest.raises(TransientError) as failure:
            await adapter.send(text_message())
    finally:
        await adapter.close()
    assert failure.value.reached is False
