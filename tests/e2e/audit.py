"""The browser audit of the main pages: which pages each role sees, and the
checks run in each page (axe-core, sideways scrolling, hidden elements shown,
text contrast of buttons and links).

Used by tests/e2e/test_pages_audit.py, and by `make screenshots` through it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.conf import settings

AXE_SOURCE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
LANGUAGES = ("en", "zh-hans")
WIDTHS = (1280, 390)
HEIGHT = {1280: 900, 390: 844}
ROLES = ("anonymous", "citizen", "moderator", "official", "admin")
# CONSULT_AUDIT_ROLES=citizen,admin narrows a run while fixing a page.
ONLY_ROLES = tuple(filter(None, os.environ.get("CONSULT_AUDIT_ROLES", "").split(",")))
# The impacts that fail the audit; axe's "minor" and "moderate" are left to review.
FAILING_IMPACTS = ("serious", "critical")
MIN_CONTRAST = 4.5
SCREENSHOTS = os.environ.get("CONSULT_SCREENSHOTS", "")


CHECKS_SOURCE = Path(__file__).with_name("audit.js")


@cache
def scripts() -> str:
    """axe-core and the audit's own checks, evaluated in a page."""
    return AXE_SOURCE.read_text(encoding="utf-8") + "\n" + CHECKS_SOURCE.read_text("utf-8")


@dataclass(frozen=True)
class Target:
    name: str
    path: str


@dataclass
class Finding:
    role: str
    lang: str
    width: int
    page: Target
    problems: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        head = f"{self.role} · {self.lang} · {self.width}px · {self.page.name} ({self.page.path})"
        return "\n".join([head, *(f"    - {problem}" for problem in self.problems)])


def check_page(page) -> list[str]:
    """Every problem the page shows at its current size."""
    problems: list[str] = []
    if not page.evaluate("typeof window.consultAudit !== 'undefined'"):
        # Evaluated, not added as a <script>: the page's CSP allows no foreign script.
        page.evaluate(scripts())
    for v in page.evaluate("(impacts) => consultAudit.axe(impacts)", list(FAILING_IMPACTS)):
        where = ", ".join(v["nodes"]) + (f" (+{v['count'] - 3} more)" if v["count"] > 3 else "")
        problems.append(f"axe {v['id']} ({v['impact']}): {v['help']}: {where}")
    overflow = page.evaluate("consultAudit.overflow()")
    if overflow and page.viewport_size["width"] <= 390:
        problems.append(
            f"scrolls sideways: {overflow['scrollWidth']}px wide in {overflow['width']}px; "
            f"sticking out: {', '.join(overflow['culprits'])}"
        )
    for shown in page.evaluate("consultAudit.hiddenShown()"):
        problems.append(f"shown although [hidden]: {shown}")
    for low in page.evaluate("(m) => consultAudit.lowContrast(m)", MIN_CONTRAST):
        problems.append(f"contrast under {MIN_CONTRAST}:1: {low}")
    return problems


def screenshot(page, role: str, lang: str, width: int, target: Target) -> None:
    if not SCREENSHOTS:
        return
    folder = Path(settings.BASE_DIR) / SCREENSHOTS
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{role}-{lang}-{width}-{target.name}.png"
    page.screenshot(path=str(path), full_page=True)
