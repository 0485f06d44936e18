"""The pages' JavaScript and CSS, read from the package's ``static/`` folder, and the Content-Security-Policy that pins the scripts."""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from importlib import resources

__all__ = ["SHARED", "code", "csp", "script_hash", "style"]

#: The shared module every page inlines first (numbers as Python prints them, helpers, the parts' API).
SHARED = "gg.js"

_PLACEHOLDER = re.compile(r"__[A-Z]+__")


@functools.cache
def code(name: str) -> str:
    """The text of ``static/<name>`` (a ``.js`` or ``.css`` file), read once from the installed package.

    >>> code("gg.js").startswith("// The pages' shared module")
    True
    >>> code("nope.js")
    Traceback (most recent call last):
    ...
    FileNotFoundError: viz/static has no 'nope.js' (it has ...gg.js...)
    """
    folder = resources.files("viz") / "static"
    target = folder / name
    if not name.endswith((".js", ".css")) or "/" in name or not target.is_file():
        have = sorted(entry.name for entry in folder.iterdir() if entry.name.endswith((".js", ".css")))
        raise FileNotFoundError(f"viz/static has no {name!r} (it has {', '.join(have)})")
    return target.read_text(encoding="utf-8")


def style(name: str, **fills: str) -> str:
    """The CSS of ``static/<name>`` with each ``__KEY__`` replaced by ``fills["KEY"]`` (colours, fonts from Python).

    Raises:
        ValueError: a placeholder of the file has no fill, or a fill has no placeholder.

    >>> style("checkpanel.css", OK="#0f0", BAD="#f00", BADFILL="#fee", KINK="#70f", KINKFILL="#eef").count("#0f0")
    2
    """
    text = code(name)
    wanted = set(_PLACEHOLDER.findall(text))
    given = {f"__{key}__" for key in fills}
    if wanted != given:
        raise ValueError(f"style({name!r}): the file has placeholders {sorted(wanted)}, the fills are {sorted(given)}")
    for key, value in fills.items():
        text = text.replace(f"__{key}__", value)
    return text


@functools.lru_cache(maxsize=64)
def script_hash(script: str) -> str:
    """The CSP source that lets exactly this inline script run: ``'sha256-<base64 digest>'``.

    >>> script_hash("")
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
    """
    return f"'sha256-{base64.b64encode(hashlib.sha256(script.encode('utf-8')).digest()).decode('ascii')}'"


def csp(*scripts: str) -> str:
    """A page's Content-Security-Policy: nothing may load; only these inline scripts run (pinned by hash).

    >>> csp("var a;").startswith("default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-")
    True
    """
    return f"default-src 'none'; style-src 'unsafe-inline'; script-src {' '.join(map(script_hash, scripts))}"
