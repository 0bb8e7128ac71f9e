"""Demo data for a first look (``consult demo``, run by ``make run``): loaded once, later runs keep what is there.

Each area contributes a loader ``async def load(settings) -> list[str]`` that creates its records only when they are
missing and returns lines describing what it did.
"""

from __future__ import annotations

import importlib

from consult.settings import Settings

DEMO_LOADERS = [
    "consult.accounts.demo",
    "consult.surveys.demo",
    "consult.consultations.demo",
    "consult.plans.demo",  # after surveys and consultations: it reports on their demo survey and opens a draft
]


async def load_demo(settings: Settings) -> list[str]:
    lines: list[str] = []
    for module in DEMO_LOADERS:
        lines.extend(await importlib.import_module(module).load(settings))
    return lines
