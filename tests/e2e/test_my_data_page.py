"""The customer's My data page in a real headless Chromium (Debian's package) against the register API as a
real process, with the membership and consent services running: the customer logs in, sees their data,
household, cards, month-to-date Bonus, purchases (card use, payment methods, staff discount), e-receipts and
warranty receipts, consents and their digital data (web stores, orders, saved carts, services ordered,
identified usage, what they entered, the contact log) in Finnish, Swedish and English, changes a permission
and a block with the keyboard (published by the API, applied by the consent service, read back through the
API and audited as the customer's own change), chooses e-receipts (the next purchase at the till comes as
one), corrects their contact data, children's birth years and joining outlet (the membership service applies
them; a refusal is said as a sentence), downloads the register extract, and every control is reached by
Tab, shows its focus and has an accessible name. The tests run in order, on one page. Screenshots go to
artifacts/screenshots/."""
from __future__ import annotations

import json
import socket
import time
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from playwright.async_api import async_playwright, expect

from contracts.events.digital import (
    CustomerContact,
    CustomerEnteredData,
    DigitalServiceOrder,
    DigitalServiceUsage,
    SavedCart,
    WebStoreCustomerUpdate,
    WebStoreOrder,
)
from contracts.events.pos import Identifier, Payment, PosPurchase
from contracts.topics import (
    CUSTOMERSERVICE_CONTACTS,
    DIGITAL_ENTERED_DATA,
    DIGITAL_SERVICE_ORDERS,
    DIGITAL_SERVICE_USAGE,
    POS_PURCHASES,
    WEBSTORE_CUSTOMER_UPDATES,
    WEBSTORE_ORDERS,
    WEBSTORE_SAVED_CARTS,
)
from coopreg.simulate.person_history import seed_person_history
from coopreg.simulate.receipts import line, pos_purchase
from services.registry import SERVICES
from shared.runtime import open_pool
from shared.settings import PROJECT_ROOT
from tests.support.register_api import bearer
from tests.support.stack import ServiceProcess, eventually

pytestmark = pytest.mark.usefixtures("services")

CHROMIUM = "/usr/bin/chromium"
SHOTS = PROJECT_ROOT / "artifacts" / "screenshots"
CONTROL_ROLES = {"button", "checkbox", "textbox", "link", "combobox", "radio", "switch"}
DIGITAL_HEADINGS = {
    "fi": ("Verkkokaupat: asiakasryhmä ja toimitusosoitteet", "Verkkokauppatilaukset", "Tallennetut ostoskorit",
           "Tilatut palvelut", "Digitaalisten palvelujen käyttö", "Palveluihin syöttämäsi tiedot",
           "Yhteydenottosi asiakaspalveluun"),
    "sv": ("Webbutiker: kundsegment och leveransadresser", "Webbutiksbeställningar", "Sparade kundvagnar",
           "Beställda tjänster", "Användning av digitala tjänster", "Uppgifter du matat in i tjänsterna",
           "Dina kontakter med kundtjänsten"),
    "en": ("Web stores: customer segment and delivery addresses", "Web-store orders", "Saved carts",
           "Services ordered", "Use of digital services", "Data you entered in services",
           "Your contacts with customer service")}
RECEIPT_HEADINGS = {"fi": ("Ostokset", "Sähköiset kuitit", "Sähköiset takuukuitit"),
                    "sv": ("Köp", "Elektroniska kvitton", "Elektroniska garantikvitton"),
                    "en": ("Purchases", "Electronic receipts", "Electronic warranty receipts")}
HEADINGS = {"fi": ("Omat tietoni", "Henkilötiedot", "Yhteystiedot", "Korjaa tietojasi", "Talous", "Kortit",
                   "Bonus tässä kuussa", *RECEIPT_HEADINGS["fi"], *DIGITAL_HEADINGS["fi"],
                   "Markkinointiluvat ja -kiellot", "Tietojen luovutukset", "Rekisteriote"),
            "sv": ("Mina uppgifter", "Personuppgifter", "Kontaktuppgifter", "Rätta dina uppgifter", "Hushåll", "Kort",
                   "Bonus denna månad", *RECEIPT_HEADINGS["sv"], *DIGITAL_HEADINGS["sv"],
                   "Marknadsföringstillstånd och förbud", "Utlämnande av dina uppgifter", "Registerutdrag"),
            "en": ("My data", "Personal data", "Contact data", "Correct your data", "Household", "Cards",
                   "Bonus this month", *RECEIPT_HEADINGS["en"], *DIGITAL_HEADINGS["en"],
                   "Marketing permissions and blocks", "Disclosures of your data", "Register extract")}
# What the purchases and receipts sections show of the television bought in `person` (and, for e-receipts,
# of the purchase made after the customer chose them), in each language.
RECEIPT_TEXTS = {
    "purchases": {"fi": ("lähimaksu", "S-Etukortti, debit", "käteinen", "prisma P042"),
                  "sv": ("kontaktlös betalning", "S-Förmånskort, debet", "kontanter", "prisma P042"),
                  "en": ("contactless", "S-Etukortti, debit", "cash", "prisma P042")},
    "warranty-receipts": {"fi": ("home-electronics", "prisma P042"), "sv": ("home-electronics", "prisma P042"),
                          "en": ("home-electronics", "prisma P042")},
    "e-receipts": {"fi": ("Sähköiset kuittisi", "prisma P007"), "sv": ("Dina elektroniska kvitton", "prisma P007"),
                   "en": ("Your electronic receipts", "prisma P007")},
}
# The correction forms' labels and buttons, in each language.
CORRECTION_LABELS = {
    "fi": ("Katuosoite", "Postinumero", "Postitoimipaikka", "Sähköposti", "Matkapuhelin", "Lasten syntymävuodet",
           "Toimipaikka, jossa liityit jäseneksi"),
    "sv": ("Gatuadress", "Postnummer", "Postanstalt", "E-post", "Mobiltelefon", "Barnens födelseår",
           "Verksamhetsstället där du blev medlem"),
    "en": ("Street address", "Postal code", "Post office", "E-mail", "Mobile phone", "Children's birth years",
           "The outlet where you joined as a member")}
# What each digital section shows of the person's data, in each language (the rest is the data as sent).
DIGITAL_TEXTS = {
    "web-store": {"fi": ("käytössä nyt", "Cabinkatu 9"), "sv": ("i bruk nu", "Cabinkatu 9"),
                  "en": ("in use now", "Cabinkatu 9")},
    "web-orders": {"fi": ("toimitettu", "SK-MYDATA-1"), "sv": ("levererad", "SK-MYDATA-1"),
                   "en": ("delivered", "SK-MYDATA-1")},
    "saved-carts": {"fi": ("2 kpl", "Kaurahiutaleet 1 kg"), "sv": ("2 st", "Kaurahiutaleet 1 kg"),
                    "en": ("2 pcs", "Kaurahiutaleet 1 kg")},
    "digital-services": {"fi": ("uutiskirje", "prisma-weekly"), "sv": ("nyhetsbrev", "prisma-weekly"),
                         "en": ("newsletter", "prisma-weekly")},
    "digital-usage": {"fi": ("S-koodi", "mobiilisovellus"), "sv": ("S-koden", "mobilapp"),
                      "en": ("S-code", "mobile app")},
    "entered-data": {"fi": ("Syötetty", "Ei sipulia"), "sv": ("Inmatad", "Ei sipulia"),
                     "en": ("Entered", "Ei sipulia")},
    "contact-log": {"fi": ("puhelin", "Kortti katosi ratikassa"), "sv": ("telefon", "Kortti katosi ratikassa"),
                    "en": ("phone", "Kortti katosi ratikassa")},
}
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
    await digital_history(client, db, seeded.person_id, datetime.now(timezone.utc))
    await television(client, db, seeded, datetime.now(timezone.utc) - timedelta(minutes=1))
    return seeded


async def television(client, db, person, at: datetime) -> None:
    """A television paid two ways, the card read contactless, with a staff discount: a purchase with its card
    use, payments and discount, and a warranty receipt (no e-receipt: they are not chosen yet)."""
    receipt = PosPurchase(
        receipt_id=f"r-tv-{person.person_id}", outlet_id="P042", chain="prisma", cooperative_id="hok-elanto",
        purchased_at=at, currency="EUR", total_cents=51150,
        identifier=Identifier(kind="card", value=person.card_number, entry="contactless"),
        lines=[line(1, "grocery", 1250), line(2, "general", 49900, group="home-electronics")],
        payments=[Payment(method="s_etukortti_debit", amount_cents=50000), Payment(method="cash", amount_cents=1150)],
        staff_discount_cents=2500)
    await client.send(POS_PURCHASES, receipt.receipt_id, receipt)
    await client.flush()
    await eventually(lambda: db.fetchval("SELECT NOT e_receipt AND warranty_until IS NOT NULL"
                                         " FROM purchases.customer_receipts WHERE receipt_id = $1", receipt.receipt_id),
                     timeout=60)


async def digital_history(client, db, person: str, now: datetime) -> None:
    """One of each digital data group, sent by its source over Kafka to the running digital service."""
    earlier = now - timedelta(days=2)
    sent = [
        (WEBSTORE_CUSTOMER_UPDATES, WebStoreCustomerUpdate(
            update_id=f"u-{person}", person_id=person, store="s-kaupat", segment="family-weekly", source_time=earlier,
            delivery_addresses=[{"address_id": "cabin", "address": {"street": "Cabinkatu 9", "postal_code": "00100",
                                                                    "city": "Helsinki"}}])),
        (WEBSTORE_ORDERS, WebStoreOrder(order_id="SK-MYDATA-1", store="s-kaupat", person_id=person, status="delivered",
                                        status_at=earlier + timedelta(hours=5), placed_at=earlier,
                                        delivery_method="home_delivery", currency="EUR", total_cents=8790)),
        (WEBSTORE_SAVED_CARTS, SavedCart(update_id=f"c-{person}", person_id=person, store="s-kaupat", currency="EUR",
                                         saved_at=now - timedelta(hours=3),
                                         items=[{"product_id": "6408430000210", "name": "Kaurahiutaleet 1 kg",
                                                 "quantity": 2, "unit_price_cents": 189}])),
        (DIGITAL_SERVICE_ORDERS, DigitalServiceOrder(event_id=f"s-{person}", person_id=person, service="newsletter",
                                                     item="prisma-weekly", action="ordered", at=earlier)),
        (DIGITAL_SERVICE_USAGE, DigitalServiceUsage(event_id=f"use-{person}", person_id=person, service="s-kaupat",
                                                    company="sok", company_kind="s_group", channel="mobile_app",
                                                    identified_with="s_code", kind="login", at=earlier)),
        (DIGITAL_ENTERED_DATA, CustomerEnteredData(entry_id=f"e-{person}", person_id=person, service="s-kaupat",
                                                   company="sok", field="picker_note", value="Ei sipulia, kiitos",
                                                   entered_at=earlier)),
        (CUSTOMERSERVICE_CONTACTS, CustomerContact(contact_id=f"cs-{person}", person_id=person, channel="phone",
                                                   reason="card_lost", handler="cs-anna", contacted_at=earlier,
                                                   notes="Kortti katosi ratikassa")),
    ]
    for topic, event in sent:
        await client.send(topic, "SK-MYDATA-1" if topic is WEBSTORE_ORDERS else person, event)
    await client.flush()
    for table in ("web_store_profiles", "delivery_addresses", "web_orders", "saved_carts", "digital_services",
                  "digital_usage", "entered_data", "contact_log"):
        await eventually(lambda table=table: db.fetchval(f"SELECT count(*) FROM digital.{table} WHERE person_id = $1",
                                                         person))


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
    async with httpx.AsyncClient(base_url=api_url, headers=customer, timeout=30) as client:
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


@pytest.mark.parametrize("lang", ["sv", "en", "fi"])
async def test_the_digital_sections_show_the_persons_digital_data_in_each_language(page, lang, person):
    await page.get_by_role("button", name=SWITCH[lang]).click()
    await expect(page.locator("html")).to_have_attribute("lang", lang)
    for section, texts in DIGITAL_TEXTS.items():
        for text in texts[lang]:
            await expect(page.locator(f"#{section}")).to_contain_text(text)
        assert await page.locator(f"#{section} table").count() >= 1, section  # data, not "none"
    # an amount and a date in the language's own format
    await expect(page.locator("#web-orders")).to_contain_text(euros(8790, lang))


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


async def test_the_customer_chooses_e_receipts_and_their_next_purchase_comes_as_one(page, api_url, customer, person,
                                                                                  client, db):
    person_id = person.person_id
    control = page.get_by_label("Haluan sähköiset kuitit")
    await expect(control).not_to_be_checked()
    await expect(page.locator("#e-receipts")).to_contain_text("Sinulla ei ole sähköisiä kuitteja.")
    await control.focus()
    await page.keyboard.press("Space")
    await expect(page.get_by_role("status")).to_have_text("Muutos tallennettu ja voimassa: Haluan sähköiset kuitit.",
                                                          timeout=45000)
    # it reached the consent service: kept there with its receipt, read back through the API, and audited
    consents = (await api_get(api_url, customer, f"/persons/{person_id}/consents"))["consents"]
    assert consents["choices"] == {"e_receipts": True}
    assert ("choice:e_receipts", True, "self_service", "register-api/self-service") in {
        (r["item"], r["value"], r["source"], r["collection_point"]) for r in consents["receipts"]}
    audited = await db.fetch("SELECT fields, purpose FROM audit.audit_log WHERE action = 'change'"
                             " AND operation = 'set_choice' AND actor = $1", f"customer-{person_id}")
    assert [tuple(r) for r in audited] == [(["consents.choices.e_receipts"], "self_service")]
    # the consent state carried it to the purchases service: the next purchase with the card is an e-receipt
    await eventually(lambda: db.fetchval("SELECT e_receipts FROM purchases.product_data_consents"
                                         " WHERE person_id = $1", person_id), timeout=60)
    receipt = pos_purchase(f"r-e-{person_id}", person.card_number, datetime.now(timezone.utc), [("grocery", 1890)],
                           outlet="P007")
    await client.send(POS_PURCHASES, receipt.receipt_id, receipt)
    await client.flush()
    await eventually(lambda: db.fetchval("SELECT e_receipt FROM purchases.customer_receipts WHERE receipt_id = $1",
                                         receipt.receipt_id), timeout=60)
    await page.reload()
    await expect(page.get_by_role("status")).to_have_text("Tietosi näytetään.")
    await expect(page.get_by_label("Haluan sähköiset kuitit")).to_be_checked()
    await expect(page.locator("#e-receipts table")).to_contain_text("prisma P007")
    await page.screenshot(path=SHOTS / "my-data-e-receipts.png", full_page=True)


@pytest.mark.parametrize("lang", ["sv", "en", "fi"])
async def test_the_purchases_and_receipt_sections_and_the_correction_forms_speak_each_language(page, lang):
    await page.get_by_role("button", name=SWITCH[lang]).click()
    await expect(page.locator("html")).to_have_attribute("lang", lang)
    for section, texts in RECEIPT_TEXTS.items():
        for text in texts[lang]:
            await expect(page.locator(f"#{section}")).to_contain_text(text)
        assert await page.locator(f"#{section} table").count() == 1, section  # data, not "none"
    purchases = page.locator("#purchases")
    for cents in (51150, 50000, 1150, 2500):  # the total, both payments and the staff discount
        await expect(purchases).to_contain_text(euros(cents, lang))
    for label in CORRECTION_LABELS[lang]:
        await expect(page.get_by_label(label, exact=True)).to_be_editable()
    await page.screenshot(path=SHOTS / f"my-data-receipts-{lang}.png", full_page=True)


async def test_the_customer_corrects_their_data_and_a_refusal_is_said_as_a_sentence(page, api_url, customer,
                                                                                    person, db):
    status, alert = page.get_by_role("status"), page.get_by_role("alert")
    years = page.get_by_label("Lasten syntymävuodet", exact=True)
    # a child born next year: refused by the membership service's own rule, said as a sentence
    await years.fill(f"2012, {datetime.now(timezone.utc).year + 1}")
    await page.get_by_role("button", name="Tallenna lasten syntymävuodet").click()
    await expect(alert).to_have_text("Korjausta ei tehty: lapsen syntymävuosi ei voi olla tulevaisuudessa.")
    await years.fill("2015, 2012")
    await page.get_by_role("button", name="Tallenna lasten syntymävuodet").click()
    await expect(status).to_have_text("Korjaus tallennettu ja voimassa: Kotona asuvat lapset.", timeout=45000)
    await expect(page.locator("#person")).to_contain_text("2012, 2015")

    outlet = page.get_by_label("Toimipaikka, jossa liityit jäseneksi", exact=True)
    await expect(outlet).to_have_value("P001")
    await outlet.fill("P042")
    await page.get_by_role("button", name="Tallenna liittymispaikka").click()
    await expect(status).to_have_text("Korjaus tallennettu ja voimassa: Liittymispaikka.", timeout=45000)
    await expect(page.locator("#person")).to_contain_text("P042")

    # contact data, in English: a phone number the service refuses, then a new e-mail address it takes
    await page.get_by_role("button", name="In English").click()
    phone = page.get_by_label("Mobile phone", exact=True)
    number = await phone.input_value()
    await phone.fill("12")
    await page.get_by_role("button", name="Save contact data").click()
    await expect(alert).to_have_text("Not corrected: the phone number is not valid. Write it as +358401234567 or "
                                     "0401234567.")
    await phone.fill(number)
    email = f"maija.korjattu.{person.person_id}@example.fi"
    await page.get_by_label("E-mail", exact=True).fill(email)
    await page.get_by_role("button", name="Save contact data").click()
    await expect(status).to_have_text("Correction saved and in force: Contact data.", timeout=45000)
    await expect(page.locator("#contact")).to_contain_text(email)
    await page.screenshot(path=SHOTS / "my-data-corrected.png", full_page=True)
    await page.get_by_role("button", name="Suomeksi").click()

    doc = await api_get(api_url, customer, f"/persons/{person.person_id}")
    assert doc["person"]["children_birth_years"] == [2012, 2015]
    assert doc["person"]["sources"]["children_birth_years"]["source"] == "customer"
    [membership] = [m for m in doc["memberships"] if m["status"] == "active"]
    assert membership["joining_outlet"] == "P042"
    assert [(h["previous"], h["value"], h["source"]) for h in membership["joining_outlet_history"]] == [
        ("P001", "P042", "customer")]
    assert doc["contact"]["email"]["address"] == email and doc["contact"]["mobile_phone"]["number"] == number
    assert doc["contact"]["sources"]["email"]["source"] == "customer"
    changes = await db.fetch("SELECT operation, fields FROM audit.audit_log WHERE action = 'change' AND actor = $1"
                             " AND operation LIKE 'rectify%' ORDER BY seq", f"customer-{person.person_id}")
    assert [tuple(r) for r in changes] == [("rectify_personal_data", ["person.children_birth_years"]),
                                           ("rectify_personal_data", ["memberships.joining_outlet"]),
                                           ("rectify_contact_data", ["contact.email"])]


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
    assert extract["consents"]["choices"]["e_receipts"] is True
    assert [r["receipt_id"] for r in extract["e_receipts"]] == [f"r-e-{person.person_id}"]
    assert [r["receipt_id"] for r in extract["warranty_receipts"]] == [f"r-tv-{person.person_id}"]
    requests = await db.fetchval("SELECT count(*) FROM register_api.extract_requests WHERE person_id = $1",
                                 person.person_id)
    assert requests == 2


async def test_keyboard_reaches_every_control_which_shows_its_focus_and_has_an_accessible_name(page):
    await page.reload()  # Tab from the top of a fresh page
    await expect(page.get_by_role("status")).to_have_text("Tietosi näytetään.")
    controls = await page.evaluate("""() => [...document.querySelectorAll('a[href], button, input, select, textarea')]
        .filter(node => node.getClientRects().length > 0 || node.classList.contains('skip'))
        .map(node => node.id || node.textContent.trim())""")
    # languages, log out, the correction forms' fields and buttons, e-receipts, permissions, blocks, downloads
    assert len(controls) >= 3 + 1 + (5 + 1) + (1 + 1) + (1 + 1) + 1 + 2 + 11 + 2
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
    assert len([role for role, _ in named if role == "checkbox"]) == 14  # e-receipts, 2 permissions, 11 blocks
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
