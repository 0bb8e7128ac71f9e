"""The ASGI application for uvicorn (``consult.asgi:app``), built from the environment's settings."""

from consult import heap
from consult.app import create_app
from consult.logs import configure_logging
from consult.settings import load_settings

settings = load_settings()
configure_logging(settings.log_level)
app = create_app(settings)

# The garbage collector set for a long-running server (consult/heap.py): what importing made is frozen now, what
# starting makes (the database client, background tasks) once started, and young collections come less often.
heap.freeze()
heap.tune()
app.state.background.append(heap.frozen_after_start)
