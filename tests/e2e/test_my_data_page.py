"""The customer's My data page in a real headless Chromium (Debian's package) against the register API as a
real process, with the membership and consent services running: the customer logs in, sees their data,
household, cards, month-to-date Bonus and consents in Finnish, Swedish and English, changes a permission
and a block with the keyboard (published by the API, applied by the consent service, read back through
the API and audited as the customer's own change), downloads the register extract, and every control is
reached by Tab, shows its focus and has an accessible name. Screenshots go to artifacts/screenshots/."""
from __future__ import annotations

import json
import socket
import time
from datetime import datetime, timezone

import httpx
import pytest
from playwright.async_api import async_playwright, expect

from contracts.topics import POS_PURCHASES
from coopreg.simulate.person_history import seed_person_history
from coopreg.simulate.receipts import pos_purchase
from services.registry import SERVICES
from shared.runtime import open_pool
from shared.settings import PROJECT_ROOT
from tests.support.register_api import bearer
from tests.support.stack import ServiceProcess, eventually

pytestmark = pytest.mark.usefixtures("services")

CHROMIUM = "/usr/bin/chromium"
SHOTS = PROJECT_ROOT / "artifacts" / "screenshots"
CONTROL_ROLES = {"button", "checkbox", "textbox", "link", "combobox", "radio", "switch"}
HEADINGS = {"fi": ("Omat tietoni", "Henkilötiedot", "Yhteystiedot", "Talous", "Kortit", "Bonus tässä kuussa",
                   "Markkinointiluvat ja -kiellot", "Rekisteriote"),
            "sv": ("Mina uppgifter", "Personuppgifter", "Kontaktuppgifter", "Hushåll", "Kort", "Bonus denna månad",
                   "Marknadsföringstillstånd och förbud", "Registerutdrag"),
            "en": ("My data", "Personal data", "Contact data", "Household", "Cards", "Bonus this month",
                   "Marketing permissions and blocks", "Register extract")}
SWITCH = {"fi": "Suomeksi", "sv": "På svenska", "en": "In English"}


def euros(cents: int, lang: str) -> str:
    """The amount as the page's locale writes it (amounts under 1,000 € here: no digit grouping)."""
    assert 0 <= cents < 100000
    whole, part = divmod(cents, 100)
    return f"€{whole}.{part:02d}" if lang == "en" else f"{whole},{part:02d}\u00a0€"


def percent(basis_points: int) -> str:
    return f"{basis_points / 100:g}".replace(".", ",") + " %"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
async def person(settings, client, db):
    pools = {name: await open_pool(settings, SERVICES[name]) for name in ("membership", "cards", "purchases", "bonus")}
    try:
        seeded = await seed_person_history(pools, settings, datetime.now(timezone.utc), days=3)
    finally:
        for pool in pools.values():
            await pool.close()
    # and one purchase at the till now, through the running services, so this month has Bonus whatever the day
    receipt = pos_purchase(f"r-{seeded.person_id}-now", seeded.card_number, datetime.now(timezone.utc),
                           [("grocery", 4250)])
    await client.send(POS_PURCHASES, receipt.receipt_id, receipt)
    await client.flush()
    await eventually(lambda: db.fetchval("SELECT 1 FROM bonus.purchases WHERE receipt_id = $1", receipt.receipt_id))
    return seeded


@pytest.fixture(scope="module")
def api_url(settings):
    port = free_port()
    process = ServiceProcess("register_api", PROJECT_ROOT / "artifacts" / "logs",
                             env={"COOPREG_API_PORT": str(port), "COOPREG_API_RETENTION_EVERY_HOURS": "0"}).start()
    url = f"http://127.0.0.1:{port}"
    try:
        process.wait_ready()
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.proc.poll() is not None:
                    raise RuntimeError(f"the register API did not answer: see {process.log}") from None
            time.sleep(0.2)
        yield url
    finally:
        process.stop()


@pytest.fixture(scope="module")
def customer(settings, person):
    return bearer(settings, "data_subject", user=f"customer-{person.person_id}", person_id=person.person_id)


@pytest.fixture(scope="module")
async def page(api_url):
    SHOTS.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        context = await browser.new_context(accept_downloads=True, base_url=api_url, locale="fi-FI")
        page = await context.new_page()
        page.set_default_timeout(15000)
        yield page
        await context.close()
        await browser.close()


async def api_get(api_url: str, customer: dict, path: str) -> dict:
    async with httpx.AsyncClient(base_url=api_url, headers=customer) as client:
        response = await client.get(path)
        assert response.status_code == 200, response.text
        return response.json()


async def test_a_customer_logs_in_with_their_token_and_sees_their_data_in_finnish(page, api_url, customer, person):
    await page.goto("/my-data")
    assert await page.evaluate("document.documentElement.lang") == "fi"
    await expect(page.get_by_role("heading", level=2, name="Kirjaudu")).to_be_visible()
    await page.screenshot(path=SHOTS / "my-data-login.png", full_page=True)
    await page.get_by_label("Kirjautumistunniste").fill(customer["Authorization"].removeprefix("Bearer "))
    await page.get_by_role("button", name="Kirjaudu").click()
    await expect(page.get_by_role("status")).to_have_text("Tietosi näytetään.")

    doc = await api_get(api_url, customer, f"/persons/{person.person_id}")
    body = await page.locator("main").inner_text()
    for expected in ("Maija Liisa Meikäläinen", str(doc["person"]["customer_number"]), person.email,
                     f"{person.street}, 00100 Helsinki", f"•••• {person.card_number[-4:]}", "S-Etukortti Visa Debit",
                     "käytössä", "sinä (pääjäsen)"):
        assert expected in body, expected
    month_to_date = doc["bonus"]["month_to_date"]
    bonus = await page.locator("#bonus").inner_text()
    for expected in (euros(month_to_date["tier_total_cents"], "fi"), euros(month_to_date["bonus_cents"], "fi"),
                     percent(month_to_date["rate_bp"])):
        assert expected in bonus, expected
    assert await page.get_by_label("Markkinointi sähköpostilla").is_checked() is False
    await page.screenshot(path=SHOTS / "my-data-fi.png", full_page=True)


@pytest.mark.parametrize("lang", ["sv", "en", "fi"])
async def test_the_page_speaks_swedish_english_and_finnish(page, lang, person):
    await page.get_by_role("button", name=SWITCH[lang]).click()
    await expect(page.locator("html")).to_have_attribute("lang", lang)
    assert await page.get_by_role("button", name=SWITCH[lang]).get_attribute("aria-pressed") == "true"
    title, *sections = HEADINGS[lang]
    await expect(page.get_by_role("heading", level=1)).to_have_text(title)
    assert await page.title() == title
    assert [h.strip() for h in await page.get_by_role("heading", level=2).all_inner_texts()] == list(sections)
    card_status = {"sv": "i bruk", "en": "in use", "fi": "käytössä"}[lang]
    await expect(page.locator("#cards")).to_contain_text(card_status)
    await expect(page.locator("#person")).to_contain_text("Maija Liisa Meikäläinen")
    await page.screenshot(path=SHOTS / f"my-data-{lang}.png", full_page=True)


async def test_a_permission_and_a_block_changed_with_the_keyboard_take_effect_through_the_api(
        page, api_url, customer, person, db):
    status = page.get_by_role("status")
    await page.get_by_label("Markkinointi sähköpostilla").focus()
    await page.keyboard.press("Space")
    await expect(status).to_have_text("Muutos tallennettu ja voimassa: Markkinointi sähköpostilla.", timeout=45000)
    await page.get_by_label("Puhelinmarkkinointi").focus()
    await page.keyboard.press("Space")
    await expect(status).to_have_text("Muutos tallennettu ja voimassa: Puhelinmarkkinointi.", timeout=45000)

    consents = (await api_get(api_url, customer, f"/persons/{person.person_id}/consents"))["consents"]
    assert consents["permissions"] == {"email": True, "sms": False}
    assert consents["blocks"]["telemarketing"] is True and consents["blocks"]["direct_mail"] is False
    assert {(r["item"], r["value"], r["source"]) for r in consents["receipts"]} >= {
        ("permission:email", True, "self_service"), ("block:telemarketing", True, "self_service")}
    changes = await db.fetch("SELECT operation, actor, purpose FROM audit.audit_log WHERE action = 'change'"
                             " AND $1 = ANY(person_ids) ORDER BY seq", person.person_id)
    assert [tuple(r) for r in changes] == [("set_permission", f"customer-{person.person_id}", "self_service"),
                                          ("set_block", f"customer-{person.person_id}", "self_service")]
    await page.reload()  # what the page shows after a reload comes from the API again
    await expect(page.get_by_label("Markkinointi sähköpostilla")).to_be_checked()
    await expect(page.get_by_label("Puhelinmarkkinointi")).to_be_checked()
    await expect(page.get_by_label("Markkinointi tekstiviestillä")).not_to_be_checked()
    await page.screenshot(path=SHOTS / "my-data-consents-changed.png", full_page=True)


async def test_the_customer_downloads_their_register_extract(page, person, tmp_path, db):
    async with page.expect_download() as html_download:
        await page.get_by_role("button", name="Lataa rekisteriotteeni (HTML)").click()
    html = await html_download.value
    assert html.suggested_filename == "rekisteriote.html"
    await html.save_as(tmp_path / "extract.html")
    text = (tmp_path / "extract.html").read_text(encoding="utf-8")
    assert "<h1>Register extract</h1>" in text and person.email in text and person.identity_code in text
    await expect(page.get_by_role("status")).to_have_text("Rekisteriotteesi on ladattu.")

    async with page.expect_download() as json_download:
        await page.get_by_role("button", name="Lataa rekisteriotteeni (JSON)").click()
    await (await json_download.value).save_as(tmp_path / "extract.json")
    extract = json.loads((tmp_path / "extract.json").read_text(encoding="utf-8"))
    assert extract["person"]["person_id"] == person.person_id
    assert extract["consents"]["permissions"]["email"] is True
    requests = await db.fetchval("SELECT count(*) FROM register_api.extract_requests WHERE person_id = $1",
                                 person.person_id)
    assert requests == 2


async def test_keyboard_reaches_every_control_which_shows_its_focus_and_has_an_accessible_name(page):
    await page.reload()  # Tab from the top of a fresh page
    await expect(page.get_by_role("status")).to_have_text("Tietosi näytetään.")
    controls = await page.evaluate("""() => [...document.querySelectorAll('a[href], button, input, select, textarea')]
        .filter(node => node.getClientRects().length > 0 || node.classList.contains('skip'))
        .map(node => node.id || node.textContent.trim())""")
    assert len(controls) >= 3 + 1 + 2 + 10 + 2  # languages, log out, permissions, blocks, extract downloads
    reached, outlines = [], []
    for _ in range(len(controls) + 5):
        await page.keyboard.press("Tab")
        focused = await page.evaluate("""() => { const node = document.activeElement, style = getComputedStyle(node);
            return node === document.body ? [null] : [node.id || node.textContent.trim(), style.outlineStyle,
                                                      style.outlineWidth]; }""")
        if focused[0] is None or focused[0] in reached:  # past the last control, or round again
            break
        reached.append(focused[0])
        outlines.append((focused[0], focused[1] != "none" and focused[2] != "0px"))
    assert set(controls) <= set(reached), set(controls) - set(reached)
    assert all(shown for _, shown in outlines), [name for name, shown in outlines if not shown]

    cdp = await page.context.new_cdp_session(page)
    tree = (await cdp.send("Accessibility.getFullAXTree"))["nodes"]
    named = [(node["role"]["value"], (node.get("name") or {}).get("value", "")) for node in tree
             if not node.get("ignored") and node.get("role", {}).get("value") in CONTROL_ROLES]
    assert len([role for role, _ in named if role == "checkbox"]) == 12
    assert all(name.strip() for _, name in named), [role for role, name in named if not name.strip()]
    assert await page.locator("[aria-live=polite][role=status]").count() == 1
    assert await page.locator("[role=alert]").count() == 1


async def test_a_login_link_carries_the_token_after_the_hash_and_logging_out_forgets_it(page, customer, settings):
    token = customer["Authorization"].removeprefix("Bearer ")
    await page.goto(f"/my-data?lang=en#token={token}")
    await expect(page.get_by_role("status")).to_have_text("Your data are shown.")
    assert "token" not in page.url
    await page.get_by_role("button", name="Log out").click()
    await expect(page.get_by_role("status")).to_have_text("You have logged out.")
    await expect(page.get_by_label("Access token")).to_be_focused()
    assert await page.evaluate("sessionStorage.length") == 0
    await page.reload()
    await expect(page.get_by_role("heading", level=2, name="Log in")).to_be_visible()
    staff = bearer(settings, "customer_service")["Authorization"].removeprefix("Bearer ")
    await page.get_by_label("Access token").fill(staff)
    await page.get_by_role("button", name="Log in").click()
    await expect(page.get_by_role("alert")).to_have_text("This token is not a customer's token.")


def test_the_page_and_its_files_forbid_inline_and_foreign_code_and_every_language_has_every_text(api_url):
    page = httpx.get(f"{api_url}/my-data")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert '<html lang="fi">' in page.text
    texts = {lang: httpx.get(f"{api_url}/my-data/assets/texts/{lang}.json").json() for lang in ("fi", "sv", "en")}
    assert texts["fi"].keys() == texts["sv"].keys() == texts["en"].keys()
    assert all(value.strip() for language in texts.values() for value in language.values())
    assert httpx.get(f"{api_url}/my-data/assets/../app.py").status_code == 404
    assert httpx.get(f"{api_url}/my-data/assets/nothing.js").status_code == 404
    assert "/my-data" not in httpx.get(f"{api_url}/openapi.json").json()["paths"]
