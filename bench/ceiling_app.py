"""The ceiling: a bare Starlette app rendering one small Jinja2 template, served exactly like `consult serve`.

Every speed figure in bench/http_speed.py is reported as a ratio to this app's, measured in the same run.
"""

from jinja2 import Environment
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

TEMPLATE = Environment(autoescape=True).from_string(
    "<!doctype html><html lang=\"{{ lang }}\"><head><meta charset=\"utf-8\"><title>{{ title }}</title></head>"
    "<body><h1>{{ title }}</h1><ul>{% for item in items %}<li>{{ item }}</li>{% endfor %}</ul></body></html>"
)


async def page(request):
    return HTMLResponse(TEMPLATE.render(lang="en", title="Ceiling", items=["one", "two", "three"]))


app = Starlette(routes=[Route("/", page)])
