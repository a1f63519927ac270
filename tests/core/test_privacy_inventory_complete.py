"""The privacy page lists every personal field the account keeps (P9, P19): a new column on the
customer must be named in the data inventory, or be declared here as not personal."""

from __future__ import annotations

from core.customers.models import Customer
from core.privacy.inventory import INVENTORY

# Customer column -> the words the privacy page uses for it.
PERSONAL = {
    "last_name": "last name", "first_name": "first name", "patronymic": "patronymic", "phone": "phone",
    "email": "email", "password_hash": "password hash", "locale": "language", "display_name": "display name",
    "telegram_user_id": "Telegram user id", "telegram_unreachable_at": "whether Telegram can reach you",
    "car_make": "car make and model", "car_model": "car make and model",
}
# Bookkeeping of the account itself, not data about the person.
NOT_PERSONAL = {"id", "is_staff", "status", "confirmed_at", "created_at", "updated_at", "deleted_at"}


def test_every_customer_column_is_on_the_privacy_page_or_declared_not_personal():
    columns = set(Customer._meta.fields_db_projection)  # its own columns, not the relations to it
    assert columns - PERSONAL.keys() - NOT_PERSONAL == set(), "a new customer column: add it to the inventory"
    account = next(kind for kind in INVENTORY if kind.key == "account")
    assert sorted(set(PERSONAL.values()) - set(account.fields)) == []
