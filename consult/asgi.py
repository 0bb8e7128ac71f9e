"""The ASGI application for uvicorn (``consult.asgi:app``), built from the environment's settings."""

from consult.app import create_app
from consult.logs import configure_logging
from consult.settings import load_settings

settings = load_settings()
configure_logging(settings.log_level)
app = create_app(settings)
