"""Carts: add, change, remove lines; merge the anonymous cart on sign-in; expire abandoned ones.

An anonymous cart belongs to an opaque random token that lives only in the visitor's cookie;
the table keeps its sha256 (P2). A customer's cart belongs to the customer, whichever channel
(web, bot) adds to it. Quantities are bounded by stock and by MAX_LINE_QUANTITY; a request
that would exceed them is refused and changes nothing. A cart is not a reservation: checkout
checks stock again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass, field

from tortoise import timezone
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core.carts.models import Cart, CartLine
from core.catalogue.models import Part
from core.config import ShopSettings
from core.errors import NotFound, ValidationError

MAX_LINE_QUANTITY = 99
_TOKEN_LENGTHS = range(32, 129)


@dataclass(frozen=True, slots=True)
class CartOwner:
    customer_id: int | None = None
    token: str | None = None


@dataclass(frozen=True, slots=True)
class CartLineView:
    part_id: int
    brand: str
    article: str
    name: str
    unit_price: int
    quantity: int
    line_total: int
    stock: int


@dataclass(frozen=True, slots=True)
class CartView:
    lines: list[CartLineView]
    subtotal: int
    currency: str
    # Number of items (sum of quantities), for the cart badge.
    count: int


@dataclass(slots=True)
class MergeResult:
    # Readable part labels ("Oil filter (BOSCH 0 986 452 041)") for the sign-in message.
    added: list[str] = field(default_factory=list)
    increased: list[str] = field(default_factory=list)
    capped: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.increased or self.capped)


def new_cart_token() -> str:
    """An opaque cookie value: 32 random bytes, URL-safe."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def part_label(part: Part) -> str:
    return f"{part.name} ({part.brand} {part.article})"


# ---------------------------------------------------------------- finding the cart


def _check_owner(owner: CartOwner) -> None:
    if (owner.customer_id is None) == (owner.token is None):
        raise ValueError("a CartOwner has either a customer_id or a token")
    if owner.token is not None and len(owner.token) not in _TOKEN_LENGTHS:
        raise ValidationError("This cart could not be found. Please add the parts again.")


async def find_cart(owner: CartOwner) -> Cart | None:
    _check_owner(owner)
    if owner.customer_id is not None:
        return await Cart.get_or_none(customer_id=owner.customer_id)
    return await Cart.get_or_none(token_hash=hash_token(owner.token))


async def _cart_for_change(owner: CartOwner) -> Cart:
    cart = await find_cart(owner)
    if cart is not None:
        return cart
    if owner.customer_id is not None:
        values = {"customer_id": owner.customer_id}
    else:
        values = {"token_hash": hash_token(owner.token)}
    try:
        async with in_transaction():
            return await Cart.create(**values)
    except IntegrityError:
        # Another request of the same owner created it a moment ago (or the customer is gone).
        cart = await Cart.get_or_none(**values)
        if cart is None:
            raise NotFound("This cart could not be found. Please add the parts again.") from None
        return cart


async def _touch(cart: Cart) -> None:
    # updated_at tells the purge which anonymous carts are abandoned.
    await Cart.filter(id=cart.id).update(updated_at=timezone.now())


# ---------------------------------------------------------------- reading


async def get_cart_view(owner: CartOwner, *, currency: str | None = None) -> CartView:
    """The cart with current prices and stock; `currency` is shown for an empty cart."""
    cart = await find_cart(owner)
    lines = await CartLine.filter(cart_id=cart.id).select_related("part").order_by("id") if cart else []
    views = [
        CartLineView(
            part_id=line.part_id, brand=line.part.brand, article=line.part.article, name=line.part.name,
            unit_price=line.part.price, quantity=line.quantity, line_total=line.part.price * line.quantity,
            stock=line.part.stock,
        )
        for line in lines
    ]
    shown_currency = lines[0].part.currency if lines else (currency or ShopSettings().currency)
    return CartView(
        lines=views,
        subtotal=sum(v.line_total for v in views),
        currency=shown_currency,
        count=sum(v.quantity for v in views),
    )


# ---------------------------------------------------------------- changing


def _check_quantity(quantity: object, *, allow_zero: bool) -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        message = "Quantity must be a whole number."
        raise ValidationError(message, fields={"quantity": message})
    low = 0 if allow_zero else 1
    if quantity < low:
        message = "Quantity cannot be negative." if allow_zero else "Quantity must be at least 1."
        raise ValidationError(message, fields={"quantity": message})
    return quantity


def _check_available(part: Part, quantity: int) -> None:
    if quantity > MAX_LINE_QUANTITY:
        message = "You can order at most {max} pieces of one part."
        raise ValidationError(message, fields={"quantity": message}, max=MAX_LINE_QUANTITY)
    if quantity > part.stock:
        if part.stock <= 0:
            message = "{part} is out of stock."
        else:
            message = "{part}: only {stock} in stock."
        raise ValidationError(message, fields={"quantity": message}, part=part_label(part), stock=part.stock)


def _is_row_id(value: object) -> bool:
    # Larger numbers name no row, and the databases refuse to compare them (int32 on PostgreSQL).
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31


async def _get_part(part_id: object) -> Part:
    part = await Part.get_or_none(id=part_id) if _is_row_id(part_id) else None
    if part is None:
        raise NotFound("This part does not exist.")
    return part


async def add_to_cart(owner: CartOwner, part_id: int, quantity: int = 1) -> CartView:
    """Add `quantity` pieces (on top of what the cart already holds)."""
    _check_owner(owner)
    quantity = _check_quantity(quantity, allow_zero=False)
    part = await _get_part(part_id)
    cart = await find_cart(owner)
    line = await CartLine.get_or_none(cart_id=cart.id, part_id=part.id) if cart else None
    _check_available(part, quantity + (line.quantity if line else 0))
    await _store_quantity(await _cart_for_change(owner), part, quantity, relative=True)
    return await get_cart_view(owner)


async def set_quantity(owner: CartOwner, part_id: int, quantity: int) -> CartView:
    """Set a line's quantity; 0 removes the line."""
    _check_owner(owner)
    quantity = _check_quantity(quantity, allow_zero=True)
    if quantity == 0:
        return await remove_line(owner, part_id)
    part = await _get_part(part_id)
    _check_available(part, quantity)
    await _store_quantity(await _cart_for_change(owner), part, quantity, relative=False)
    return await get_cart_view(owner)


async def remove_line(owner: CartOwner, part_id: int) -> CartView:
    """Remove a line; removing a line that is not there changes nothing."""
    cart = await find_cart(owner)
    if cart is not None and _is_row_id(part_id):
        async with in_transaction():
            if await CartLine.filter(cart_id=cart.id, part_id=part_id).delete():
                await _touch(cart)
    return await get_cart_view(owner)


async def _check_same_currency(cart: Cart, part: Part) -> None:
    # A cart has one total: a part priced in another currency (a catalogue file may say so)
    # would add up euros and dollars. Checkout takes only the shop's currency anyway.
    if await CartLine.filter(cart_id=cart.id).exclude(part__currency=part.currency).exists():
        message = "{part} cannot be ordered together with the parts in your cart."
        raise ValidationError(message, fields={"quantity": message}, part=part_label(part))


async def _store_quantity(cart: Cart, part: Part, quantity: int, *, relative: bool) -> None:
    for _ in range(2):  # a concurrent first add of the same part may win the unique (cart, part)
        try:
            async with in_transaction():
                # Touching the cart first locks its row (PostgreSQL): changes to one cart queue
                # up instead of overwriting each other's quantities.
                await _touch(cart)
                line = await CartLine.get_or_none(cart_id=cart.id, part_id=part.id)
                if line is None:
                    await _check_same_currency(cart, part)
                    await CartLine.create(cart_id=cart.id, part_id=part.id, quantity=quantity)
                else:
                    new = line.quantity + quantity if relative else quantity
                    _check_available(part, new)
                    await CartLine.filter(id=line.id).update(quantity=new)
            return
        except IntegrityError:
            continue
    raise ValidationError("The cart changed at the same time. Please try again.")


# ---------------------------------------------------------------- sign-in merge and expiry


async def merge_carts(token: str, customer_id: int) -> MergeResult:
    """Move the anonymous cart of `token` into the customer's cart and delete it.

    Quantities add up, capped by stock and MAX_LINE_QUANTITY; the result says what changed.
    """
    result = MergeResult()
    if not isinstance(token, str) or len(token) not in _TOKEN_LENGTHS:
        return result  # a cookie we never issued: nothing to merge, sign-in goes on
    anonymous = await find_cart(CartOwner(token=token))
    if anonymous is None:
        return result
    target = await _cart_for_change(CartOwner(customer_id=customer_id))
    async with in_transaction():
        incoming = await CartLine.filter(cart_id=anonymous.id).select_related("part").order_by("id")
        # Deleting first claims the cart: a concurrent sign-in with the same cookie finds
        # nothing left to delete and merges nothing, so quantities are not added twice.
        if not await Cart.filter(id=anonymous.id).delete():
            return result
        existing = {line.part_id: line for line in await CartLine.filter(cart_id=target.id)}
        for line in incoming:
            await _merge_line(target, line, existing.get(line.part_id), result)
        await _touch(target)
    return result


async def _merge_line(target: Cart, line: CartLine, mine: CartLine | None, result: MergeResult) -> None:
    part = line.part
    limit = max(0, min(part.stock, MAX_LINE_QUANTITY))
    wanted = line.quantity + (mine.quantity if mine else 0)
    final = min(wanted, limit)
    if final < wanted:
        result.capped.append(part_label(part))
    if mine is None:
        if final > 0:
            await CartLine.create(cart_id=target.id, part_id=part.id, quantity=final)
            result.added.append(part_label(part))
    elif final != mine.quantity:
        await CartLine.filter(id=mine.id).update(quantity=final)
        if final > mine.quantity:
            result.increased.append(part_label(part))


async def purge_abandoned_carts(older_than: dt.timedelta) -> int:
    """Delete anonymous carts untouched for `older_than`; returns how many went."""
    cutoff = timezone.now() - older_than
    # Count by ids: SQLite's change counter would also count the cascaded cart lines.
    ids = await Cart.filter(customer_id__isnull=True, updated_at__lt=cutoff).values_list("id", flat=True)
    for start in range(0, len(ids), 500):
        await Cart.filter(id__in=ids[start:start + 500], updated_at__lt=cutoff).delete()
    return len(ids)
