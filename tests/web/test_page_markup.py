"""Every page's labels belong to their own inputs: no id is used twice, no label points nowhere.

With two forms on one page (sign in and register at checkout) a shared id made the "Email"
label of the registration focus the sign-in field, and screen readers read the wrong label.
"""

from __future__ import annotations

import re
from collections import Counter

from tests.web.conftest import Catalogue, csrf_from, make_customer, sign_in_as

ANONYMOUS_PAGES = ("/", "/search?q=filter", "/cart", "/checkout", "/sign-in", "/register", "/password-reset",
                   "/password-reset/confirm?token=x")
SIGNED_IN_PAGES = ("/checkout", "/account", "/account/profile", "/account/addresses", "/account/garage",
                   "/account/orders", "/account/password", "/account/sessions", "/account/data", "/account/delete")


def label_problems(html: str) -> list[str]:
    ids = Counter(re.findall(r'\sid="([^"]+)"', html))
    problems = [f"id {name!r} used {count} times" for name, count in ids.items() if count > 1]
    problems += [f"label for {name!r} has no input" for name in re.findall(r'<label[^>]*\sfor="([^"]+)"', html)
                 if name not in ids]
    return problems


async def test_labels_belong_to_their_own_inputs(app_client, catalogue: Catalogue):
    client = await app_client()
    token = await csrf_from(client)
    await client.post("/cart/add", data={"csrf_token": token, "part_id": str(catalogue.filter_bosch),
                                         "quantity": "1"})
    pages = {}
    for path in (*ANONYMOUS_PAGES, f"/?make={catalogue.make_vw}&model={catalogue.model_golf}",
                 f"/part/{catalogue.filter_bosch}?vehicle={catalogue.golf}"):
        pages[path] = await (await client.get(path)).text()
    assert 'class="register"' in pages["/checkout"] and 'class="sign-in"' in pages["/checkout"]
    await sign_in_as(client, await make_customer())
    for path in SIGNED_IN_PAGES:
        pages["signed in " + path] = await (await client.get(path)).text()
    problems = {path: found for path, html in pages.items() if (found := label_problems(html))}
    assert problems == {}
