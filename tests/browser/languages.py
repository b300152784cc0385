"""Find what a screen shows that no catalog of its language wrote: English left in the French app, say.

Every visible text node, and every aria-label, placeholder, title and alt, must be one of the language's
translations (a placeholder in it standing for any value), or data: numbers, times, units, punctuation and the
month and day names Intl writes. What she typed herself (a label, a note, an e-mail address) sits in an element
marked translate="no", the HTML attribute that tells any translator to leave it as it is, and is skipped.
"""

import re
import uuid
from functools import cache

from playwright.sync_api import expect

from server.catalogs import catalog_paths
from server.i18n import app_messages, read_catalog
from tests.browser.conftest import wait_until
from tests.conftest import PASSWORD

PLACEHOLDER = re.compile(r"\\\{\w+\\\}")
# Units and signs that read the same in every language we speak.
SIGNS = r"[\d\s.,:;/·•–—\-+−%()×'’\"«»…]*"
DATA = re.compile(rf"{SIGNS}((ml|oz|fl oz|h|min|s|mm|kg|[ap]\.?\s?m\.?){SIGNS})*", re.IGNORECASE)
# Names that read the same in every language, never translated: ours, and the bodies whose guidance we cite.
NAMES = {"pumpwell", "ibclc", "cdc", "abm"}
SHOWN = """(root) => {
  const seen = [];
  const shown = (el) => el.checkVisibility({ visibilityProperty: true, opacityProperty: false })
    && !el.closest('[translate="no"]');
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!el || ['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEXTAREA', 'OPTION'].includes(el.tagName) || !shown(el)) continue;
    if (node.textContent.trim()) seen.push(node.textContent);
  }
  for (const el of root.querySelectorAll('[aria-label], [placeholder], [title], img[alt]')) {
    if (!shown(el)) continue;
    for (const name of ['aria-label', 'placeholder', 'title', 'alt']) {
      if (el.getAttribute(name)) seen.push(el.getAttribute(name));
    }
  }
  for (const option of root.querySelectorAll('select:not([translate="no"]) option')) seen.push(option.textContent);
  return seen;
}"""
# Intl's own words for the language: months and weekdays, long and short, and the words it puts between a date's
# parts ("7 de diciembre", "lundi 7 décembre à 15:38"), as a date shows them.
INTL_WORDS = """(language) => {
  const words = new Set();
  // Every month, and every day of the week: one day a month would miss some weekdays.
  const days = [...Array(12).keys()].map((m) => new Date(Date.UTC(2026, m, 15, 12)))
    .concat([...Array(7).keys()].map((d) => new Date(Date.UTC(2026, 0, 5 + d, 12))));
  for (const day of days) {
    for (const options of [{ month: 'long' }, { month: 'short' }, { weekday: 'long' }, { weekday: 'short' },
      { weekday: 'short', day: 'numeric', month: 'short' }, { hour: 'numeric', minute: '2-digit' },
      { dayPeriod: 'short', hour: 'numeric' }, { day: 'numeric', month: 'long', year: 'numeric' },
      { dateStyle: 'full', timeStyle: 'short' }, { dateStyle: 'long', timeStyle: 'short' },
      { weekday: 'long', day: 'numeric', month: 'long', hour: 'numeric', minute: '2-digit' }]) {
      for (const part of new Intl.DateTimeFormat(language, { timeZone: 'UTC', ...options }).formatToParts(day)) {
        const value = part.value.toLowerCase();
        if (part.type !== 'literal') words.add(value);
        for (const word of value.split(/[\\s\\d.,:;/·–—\\-+%()]+/)) if (word) words.add(word);
      }
    }
  }
  return [...words];
}"""


@cache
def translations(language: str) -> re.Pattern:
    """One pattern matching any text the app's or the server's catalog writes in `language`."""
    texts = [form for forms in app_messages(language).values() for form in forms]
    server = read_catalog(catalog_paths()["server"][language], language)
    for message in server:
        if message.id:
            texts.extend(message.string if isinstance(message.string, tuple | list) else [message.string])
    patterns = sorted({PLACEHOLDER.sub(".+?", re.escape(" ".join(text.split()))) for text in texts if text}, key=len,
                      reverse=True)
    return re.compile("|".join(f"(?:{pattern})" for pattern in patterns), re.DOTALL)


def untranslated(page, language: str) -> list[str]:
    """The texts the page shows in `language` that neither a catalog nor Intl wrote, nor are data."""
    words = {word for word in page.evaluate(INTL_WORDS, language)}
    pattern = translations(language)
    left = []
    for text in page.locator("body").evaluate(SHOWN):
        text = " ".join(text.split())
        # A text with no letter in it (a number, an arrow, a moon) says the same in every language.
        if pattern.fullmatch(text) or DATA.fullmatch(text) or not any(char.isalpha() for char in text):
            continue
        rest = [word for word in re.split(r"[\s\d.,:;/·–—\-+%()]+", text.lower()) if word]
        if rest and all(word in words or word in NAMES or DATA.fullmatch(word) for word in rest):
            continue
        left.append(text)
    return sorted(set(left))


def sign_up(page, email: str | None = None) -> str:
    """Create an account through the sign-up form in the phone's language, finding its fields by name (their labels
    are translated); return the token once the tabs show."""
    page.goto("/#/signup")
    page.locator("input[name=email]").fill(email or f"parent-{uuid.uuid4().hex[:8]}@example.com")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    wait_until(page, "localStorage.getItem('pumpwell.token')")
    expect(page.locator("#tabs")).to_be_visible()
    return page.evaluate("localStorage.getItem('pumpwell.token')")
