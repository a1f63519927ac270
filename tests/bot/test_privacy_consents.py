"""P16, P19, P22 in Telegram: before the bot keeps a phone number it shows the policy version,
the controller and the age of 14, and links to the published policy; the customer's consents are
records that keep that version; a contact shared without accepting creates nobody."""

from __future__ import annotations

from core.customers.models import Consent, Customer
from tests.bot.conftest import Telegram
from tests.bot.test_conversation import SAYS, buy_filter, choose_golf
from tests.fakes.bot_api import user

TARAS = user(7301, "en", first_name="Taras", last_name="Melnyk")


async def test_checkout_asks_for_the_policy_and_age_and_records_the_version(telegram: Telegram, shop):
    shop_settings = telegram.settings.shop
    await telegram.say(TARAS, "/start")
    await choose_golf(telegram, TARAS)
    await buy_filter(telegram, TARAS, SAYS["en"])
    await telegram.say(TARAS, "/checkout")
    notice = telegram.last(TARAS)
    assert f"privacy policy (version {shop_settings.policy_version})" in notice.text
    assert "14 or older" in notice.text and shop_settings.controller_name in notice.text
    assert f"{shop_settings.base_url}/privacy" in str(notice.reply_markup) + notice.text

    await telegram.share_contact(TARAS, phone="+380501117301")  # before accepting: nobody is created
    assert not await Customer.exists()

    await telegram.press(TARAS, notice, "k:accept")
    await telegram.share_contact(TARAS, phone="+380501117301")
    customer = await Customer.get(telegram_user_id=TARAS["id"])
    consents = await Consent.filter(customer_id=customer.id).order_by("id")
    assert [(c.kind, c.granted, c.policy_version, c.channel) for c in consents] == [
        ("age_14", True, shop_settings.policy_version, "telegram"),
        ("privacy_policy", True, shop_settings.policy_version, "telegram")]
