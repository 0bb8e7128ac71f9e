"""Demo accounts, one per role, all signing in by emailed code (read the code in ``var/outbox/``)."""

from __future__ import annotations

from consult.accounts.models import Role, User
from consult.accounts.users import create_user
from consult.settings import Settings

DEMO_USERS = [
    ("admin@example.org", Role.ADMIN, "Amina (secretariat)", "en"),
    ("analyst@example.org", Role.ANALYST, "Olena (analyst)", "uk"),
    ("panel@example.org", Role.PANEL, "Fatima (panel member)", "ar"),
    ("panel.fr@example.org", Role.PANEL, "Claire (membre du panel)", "fr"),
    ("panel.fa@example.org", Role.PANEL, "Zahra (panel member)", "fa"),
]


async def load(settings: Settings) -> list[str]:
    created = []
    for email, role, name, language in DEMO_USERS:
        if not await User.filter(email=email).exists():
            await create_user(email, role, name, language, verified=True)
            created.append(email)
    if created:
        return [f"demo accounts created: {', '.join(created)} (sign in by code; codes arrive in the mail outbox)"]
    return ["demo accounts already present"]
