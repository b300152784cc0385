"""Reading a chart's text as rendered: its size on screen, and whether its labels stay inside and apart."""

# Every visible text as rendered: CSS pixels for HTML; for SVG text, its font size times the drawing's scale on screen.
RENDERED_TEXT = """() => [...document.body.querySelectorAll('*')]
  .filter((el) => el.getClientRects().length && !el.closest('title, desc')
    && [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()))
  .map((el) => ({
    text: el.textContent.trim().slice(0, 40),
    px: parseFloat(getComputedStyle(el).fontSize) * (el instanceof SVGElement ? el.getScreenCTM().a : 1),
    box: el instanceof SVGElement ? el.getBoundingClientRect().toJSON() : null,
  }))"""


def overlapping(a: dict, b: dict) -> bool:
    """Whether two boxes share more than a pixel."""
    return (a["left"] + 1 < b["right"] and b["left"] + 1 < a["right"]
            and a["top"] + 1 < b["bottom"] and b["top"] + 1 < a["bottom"])


def assert_labels_inside_and_apart(labels: list[dict], svg: dict) -> None:
    """Assert that every label lies across the drawing's width and that no two labels cover one another."""
    for label in labels:
        box = label["box"]
        assert svg["x"] <= box["left"] and box["right"] <= svg["x"] + svg["width"], label
    pairs = [(a, b) for i, a in enumerate(labels) for b in labels[i + 1:]]
    assert [(a["text"], b["text"]) for a, b in pairs if overlapping(a["box"], b["box"])] == []
