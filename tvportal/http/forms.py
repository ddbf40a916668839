"""Reading a posted form: every view and the editor's CSRF check read forms through ``form_of``.

aiohttp decodes a urlencoded body as UTF-8 and parses multipart bodies while reading; a body that is
not UTF-8 (``k=\\xff\\xfe``) or a multipart body cut short raises UnicodeDecodeError, ValueError or an
assertion deep inside it, which used to become a 500.  Here any of them is a 400 (a TV error page, or the
editor's message), and nothing has been written: forms are read before a view changes anything.
"""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp import BodyPartReader
from multidict import MultiDict, MultiDictProxy

log = logging.getLogger(__name__)


class BadForm(web.HTTPBadRequest):
    """The posted form cannot be read (not UTF-8, cut short, malformed)."""

    def __init__(self) -> None:
        """400 with the reason the error pages know as "form"."""
        super().__init__(reason="form")


FORM = web.RequestKey("form", MultiDictProxy)  # the form once read: the body can be read only once
TEXT_LIMIT = 64 * 1024  # a TV's forms are tiny (tvportal/app.py CLIENT_MAX_SIZE)


async def form_of(request: web.Request, files: bool = False) -> MultiDictProxy:
    """The posted form; BadForm when its bytes are not a form in UTF-8.

    Only a signed-in editor posts files (``files=True``; the editor closes them).  Other multipart
    bodies are read part by part as text, so that a file part or a body cut short is refused before
    aiohttp spools it to a temporary file it would not close.
    """
    if FORM in request:
        return request[FORM]
    try:
        if request.content_type == "multipart/form-data" and not files:
            form = await _text_parts(request)
        else:
            form = await request.post()
    except web.HTTPException:  # too large (413) and the like: aiohttp's own answer stands
        raise
    except (UnicodeDecodeError, ValueError, AssertionError, LookupError, EOFError) as exc:
        log.info("unreadable form on %s %s: %s", request.method, request.path, type(exc).__name__)
        raise BadForm() from None
    request[FORM] = form
    return form


async def _text_parts(request: web.Request) -> MultiDictProxy:
    """A multipart form of text fields only, at most TEXT_LIMIT bytes."""
    reader = await request.multipart()
    fields: MultiDict[str] = MultiDict()
    size = 0
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader) or part.filename is not None:
            raise ValueError("not a text field")
        data = bytearray()
        while chunk := await part.read_chunk():
            size += len(chunk)
            if size > TEXT_LIMIT:
                raise web.HTTPRequestEntityTooLarge(max_size=TEXT_LIMIT, actual_size=size)
            data += chunk
        fields.add(part.name or "", bytes(data).decode(part.get_charset("utf-8")))
    return MultiDictProxy(fields)
