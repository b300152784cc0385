"""The README and docs/: every relative link reaches a file (and heading) that exists, every `make` target is real."""

import re
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.DOTALL)
# [text](target) and ![alt](target); a target may carry a title after a space.
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
MAKE = re.compile(r"(?<![\w./-])make\s+([A-Za-z0-9_.-]+)")
MAKE_RULE = re.compile(r"^([A-Za-z0-9_.-]+(?:\s+[A-Za-z0-9_.-]+)*)\s*::?(?!=)", re.MULTILINE)


def prose(text: str) -> str:
    """Return the text without fenced code blocks and code spans, where brackets are not links."""
    return CODE_SPAN.sub("", FENCE.sub("", text))


def code(text: str) -> list[str]:
    """Return the contents of the fenced code blocks and code spans, where commands are written."""
    blocks = [m.group(0) for m in FENCE.finditer(text)]
    spans = [m.group(2) for m in CODE_SPAN.finditer(FENCE.sub("", text))]
    return blocks + spans


def slug(heading: str) -> str:
    """Return GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link in a heading keeps its text
    text = text.replace("`", "").strip().lower()
    kept = "".join(ch for ch in text if ch in " -_" or unicodedata.category(ch)[0] in "LN")
    return kept.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Return every anchor a Markdown file's headings make, numbering repeats as GitHub does."""
    seen: dict[str, int] = {}
    result = set()
    for heading in HEADING.findall(FENCE.sub("", path.read_text())):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        result.add(base if count == 0 else f"{base}-{count}")
    return result


def broken_links(path: Path) -> list[str]:
    """Return each relative link of a Markdown file whose file or heading does not exist."""
    problems = []
    for target in LINK.findall(prose(path.read_text())):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE) or target.startswith("//"):
            continue  # http:, https:, mailto: ...: not ours to check
        file_part, _, anchor = target.partition("#")
        linked = (path.parent / file_part).resolve() if file_part else path
        if not linked.exists():
            problems.append(f"{target}: no such file")
        elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
            problems.append(f"{target}: no heading #{anchor} in {linked.name}")
    return problems


def makefile_targets(makefile: Path) -> set[str]:
    """Return the targets the Makefile defines (not variables, not pattern rules)."""
    targets = set()
    for names in MAKE_RULE.findall(makefile.read_text()):
        targets.update(name for name in names.split() if not name.startswith("$") and "%" not in name)
    return targets


def unknown_make_targets(path: Path, targets: set[str]) -> list[str]:
    """Return each `make <target>` written in a file's code whose target the Makefile lacks."""
    named = {target for snippet in code(path.read_text()) for target in MAKE.findall(snippet)}
    return sorted(f"make {target}" for target in named - targets)


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_reaches_an_existing_file_and_heading(doc):
    assert broken_links(doc) == []


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_make_target_named_is_in_the_makefile(doc):
    assert unknown_make_targets(doc, makefile_targets(ROOT / "Makefile")) == []


def test_the_docs_are_there_and_the_readme_stays_a_front_door():
    names = {p.name for p in DOCS}
    assert {"parents.md", "consultants.md", "operators.md", "contributors.md", "performance.md"} <= names
    assert len((ROOT / "README.md").read_text().splitlines()) <= 250


def test_a_missing_file_a_missing_heading_and_an_unknown_target_are_reported(tmp_path):
    (tmp_path / "other.md").write_text("# Other page\n\n## Its part\n")
    (tmp_path / "Makefile").write_text("PORT ?= 5000\n.PHONY: run\nrun: setup\n\techo run\n")
    doc = tmp_path / "doc.md"
    doc.write_text(
        "# Doc\n\n[fine](other.md#its-part) [gone](nowhere.md) [no part](other.md#no-part) [here](#doc)\n"
        "[web](https://example.com) `[not a link](nowhere.md)`\n\n```sh\nmake run\nmake deploy\n```\n"
        "Then `make PORT`, and we make sure of it.\n"
    )
    assert broken_links(doc) == ["nowhere.md: no such file", "other.md#no-part: no heading #no-part in other.md"]
    assert unknown_make_targets(doc, makefile_targets(tmp_path / "Makefile")) == ["make PORT", "make deploy"]
