"""One StatesGroup per conversation; `/cancel` leaves any of them."""

from aiogram.fsm.state import State, StatesGroup


class Checkout(StatesGroup):
    accept = State()  # privacy policy + age of 14 or more, before anything is stored
    contact = State()  # waiting for the user's own contact (phone)
    name = State()  # the customer has no name yet
    delivery = State()
    address = State()  # typing a new courier address: "city, street"
    carrier_city = State()
    carrier_branch = State()
    payment = State()
    confirm = State()


class ForgetMe(StatesGroup):
    confirm = State()


class MyData(StatesGroup):
    # Changing one's data from /mydata (P9).
    name = State()
    phone = State()


class StaffShip(StatesGroup):
    # In the staff group: the staff member who pressed Ship types the tracking number.
    tracking = State()
