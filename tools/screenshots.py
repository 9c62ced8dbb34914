"""Take the documentation's screenshots (docs/screenshots/*.png) from a running demo.

Usage: python tools/screenshots.py [--base-url http://127.0.0.1:8000] [--out docs/screenshots]
Start the demo first (`make demo`); the team account is the demo's (atout.processes.demo.ACCOUNTS).
Needs Playwright and a Chromium (Debian's /usr/bin/chromium by default, --chromium to change it).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
#: (file name, path, signed in as team?, viewport width): what docs/user-guide.md shows.
SHOTS = [
    ("team-home.png", "/p/drome/equipe/", True, 1280),
    ("process-home.png", "/p/drome/", False, 1280),
    ("process-home-phone.png", "/p/drome/", False, 390),
    ("swot-board.png", "/strategie/drome/afom/", True, 1280),
    ("survey-results.png", "/consultation/drome/questionnaires/perception-drome/resultats/", True, 1280),
    ("summary.png", "/diagnostic/drome/synthese/", False, 1280),
]
TEAM = ("equipe", "demo-equipe-drome")


def sign_in(page, base: str) -> None:
    page.goto(f"{base}/connexion/")
    page.get_by_label("Identifiant").fill(TEAM[0])
    page.get_by_label("Mot de passe").fill(TEAM[1])
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    base = args.base_url.rstrip("/")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=["--headless", "--no-sandbox"])
        for name, path, as_team, width in SHOTS:
            context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": 900},
                                          is_mobile=width < 600, device_scale_factor=1)
            page = context.new_page()
            if as_team:
                sign_in(page, base)
            page.goto(base + path, wait_until="networkidle")
            page.screenshot(path=str(args.out / name), full_page=True)
            print(args.out / name)
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
