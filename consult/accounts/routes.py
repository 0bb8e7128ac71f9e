"""The account system's routes, its middleware and background task, added to the app by :func:`install`."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route

from consult.accounts import passwords
from consult.accounts.config import AccountSettings, load_account_settings
from consult.accounts.models import User
from consult.accounts.views import (admin, invitation, login, newsletter, register, reset, second_step, settings,
                                    verify)

POST = ["POST"]
GET_POST = ["GET", "POST"]

routes = [
    Route("/account/register", register.register, methods=GET_POST, name="register"),
    Route("/account/welcome", register.welcome, name="welcome"),
    Route("/account/verify", verify.verify, methods=GET_POST, name="verify"),
    Route("/account/resend", verify.resend, methods=POST, name="resend"),
    Route("/account/login", login.login, methods=GET_POST, name="login"),
    Route("/account/login/link", login.login_link, methods=GET_POST, name="login_link"),
    Route("/account/logout", login.logout, methods=POST, name="logout"),
    Route("/account/two-step", second_step.second_step, methods=POST, name="two_step"),
    Route("/account/reset", reset.reset, methods=GET_POST, name="reset"),
    Route("/account/reset/password", reset.set_new_password, methods=POST, name="reset_password"),
    Route("/account/settings", settings.settings_page, name="settings"),
    Route("/account/settings/{action}", settings.settings_action, methods=POST, name="settings_action"),
    Route("/account/invitation", invitation.invitation_page, methods=GET_POST, name="invitation"),
    Route("/newsletter", newsletter.newsletter_page, methods=GET_POST, name="newsletter"),
    Route("/newsletter/confirm", newsletter.confirm, methods=GET_POST, name="newsletter_confirm"),
    Route("/newsletter/unsubscribe", newsletter.unsubscribe, methods=GET_POST, name="newsletter_unsubscribe"),
    Route("/admin/users", admin.users, name="admin_users"),
    Route("/admin/users/{user_id:int}/role", admin.change_role, methods=POST, name="admin_role"),
    Route("/admin/invitations", admin.invite, methods=POST, name="admin_invite"),
    Route("/admin/audit", admin.audit_log, name="admin_audit"),
    Route("/admin/newsletter", admin.newsletter_admin, methods=GET_POST, name="admin_newsletter"),
    Route("/admin/newsletter/{issue_id:int}/send", admin.send_newsletter, methods=POST, name="admin_send"),
]

#: Paths whose POST is authenticated by a signed token instead of the CSRF token (RFC 8058 one-click unsubscribe).
CSRF_EXEMPT = ("/newsletter/unsubscribe",)


async def remember_language(request: Request, code: str) -> None:
    """``on_language_change`` hook: the language switcher also sets a signed-in user's preference."""
    user = request.scope.get("user")
    if user is not None:
        await User.filter(id=user.id).update(language=code)


def install(app: Starlette, account_settings: AccountSettings | None = None) -> None:
    """Configure the account system on ``app`` (called by the app factory)."""
    from consult.mail.outbox import Mailer, delivery_loop

    config = account_settings or load_account_settings(app.state.settings)
    app.state.accounts = config
    passwords.configure(config.argon2_time_cost, config.argon2_memory_kib, config.argon2_parallelism)
    settings = app.state.settings
    app.state.mailer = Mailer(settings.mail_url, settings.mail_from, settings.database_url)
    if settings.mail_worker:
        app.state.background.append(delivery_loop)
    app.state.on_language_change.append(remember_language)
