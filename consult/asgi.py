"""The ASGI application for uvicorn (``consult.asgi:app``), built from the environment's settings."""

import gc

from consult.app import create_app
from consult.logs import configure_logging
from consult.settings import load_settings

settings = load_settings()
configure_logging(settings.log_level)
app = create_app(settings)

# What importing made (the analysis stack, the templates, the catalogs: ~140,000 objects) lives as long as the
# process. Left to the collector, each full collection walks all of it and holds every request for ~30 ms (the
# tail of the latency figures); frozen, collections only look at what requests make.
gc.collect()
gc.freeze()
