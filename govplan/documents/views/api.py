"""The editor's JSON endpoints: save an entry, add, delete, move a row.

A save sends the fields it changes: a field left out keeps its saved value, an empty value
clears it (``do_save_entry``). The page leaves out what it cannot send (a value it or the
server refused), so such a value never erases the saved one.

Responses: 200 {"status": "saved"|"merged"|"unchanged", "content": …, "fields": …, ...};
400 {"errors": {field: msg}} (nothing saved); 409 {"status": "conflict", "theirs": …,
"fields": …, "by": …, "at": …, "conflicts": […]} (nothing saved); 403/404 through the scoping
layer. "fields" is what each field of the entry shows for the saved content (for 409: theirs),
by the path the page sends it under.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, JsonResponse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from govplan.access.policies import requires
from govplan.access.scoping import Capability
from govplan.accounts.types import AuthenticatedRequest
from govplan.core import jsonsafe
from govplan.core.documents.keys import Collection
from govplan.documents.access import load_document
from govplan.documents.actions import (
    SaveResult,
    do_add_entry,
    do_delete_entry,
    do_move_entry,
    do_save_entry,
)
from govplan.documents.content import ContentError, parse_key
from govplan.documents.fields import entry_fields
from govplan.documents.models import Document, Entry
from govplan.documents.presentation import input_locale, table_block
from govplan.documents.read import row_of
from govplan.documents.row_totals import rows_for_totals

MAX_BODY = 3_000_000
MAX_DEPTH = 16  # an entry's content nests 4 levels deep (content.cells.<cell>.n)


def _body(request: HttpRequest) -> dict[str, Any]:
    """The JSON object the editor sent, read strictly (govplan.core.jsonsafe): whatever no
    field may hold (NaN, 1e400, 5,000 digits, NUL, "\\ud800", 1,000 levels of nesting) is
    refused here with where it is; each field's reader then checks what it holds."""
    if len(request.body) > MAX_BODY:
        raise ContentError({"": _("The request is too large.")})
    try:
        data = jsonsafe.loads(request.body or b"{}", max_depth=MAX_DEPTH)
    except jsonsafe.JsonProblem as exc:
        reason = _(exc.template) % exc.params if exc.params else _(exc.template)
        if not exc.path:
            reason = _("The request is not accepted: %(reason)s.") % {"reason": reason}
        # A field of the content is named as the content's readers name it (cells.name).
        raise ContentError({exc.path.removeprefix("content."): reason}) from None
    if not isinstance(data, dict):
        raise ContentError({"": _("The request is not valid JSON.")})
    return data


def _int(data: dict[str, Any], name: str, default: int | None = None) -> int:
    value = data.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ContentError({name: _("A whole number is expected.")})
    return value


def _stamp(value: Any) -> str:
    return date_format(localtime(value), "SHORT_DATETIME_FORMAT") if value else ""


def _derived(document: Document, entry: Entry) -> dict[str, Any]:
    """What the page must redraw after a save: the row as displayed, and its table's totals.

    Proportional to what was saved: the saved row is laid out from the entry in hand; the
    other rows of its table are read only for what the totals add up (money cells, phasing,
    group: ``rows_for_totals``), never their texts nor any other entry of the document."""
    if entry.kind != "row":
        return {}
    spec = document.framework_version.parsed()
    table = spec.table(Collection.parse(entry.collection).code)
    if table is None:
        return {}
    money = [c.code for c in table.columns if c.type == "money"]
    rows = rows_for_totals(document, entry.collection, money)
    # The saved row as stored now (this transaction's content), whole, in its place.
    rows = [row_of(entry) if r.key == entry.key else r for r in rows]
    block = table_block(spec, table, rows, input_locale(), only=entry.key)
    row = next(iter(block["rows"]), None)
    return {
        "row": row,
        "totals": block["totals"],
        "phasing_totals": block["phasing_totals"],
        "grand_total": block["grand_total"],
        "summary": block["summary"],
        # A grouped table: the row's group (the page moves the row under it) and every
        # group's subtotal.
        "group": entry.content.get("group", "") if table.groups else None,
        "groups": [
            {"code": g["code"], "totals": g["totals"], "phasing_total": g["phasing_total"]}
            for g in block.get("groups", ())
        ],
    }


def _fields(document: Document, entry: Entry | None) -> dict[str, str]:
    if entry is None:
        return {}
    spec = document.framework_version.parsed()
    return entry_fields(spec, entry.key, entry.content, input_locale())


def _respond(document: Document, result: SaveResult) -> JsonResponse:
    if result.status == "conflict":
        return JsonResponse(
            {
                "status": "conflict",
                "revision": result.entry.revision if result.entry else 0,
                "theirs": result.theirs,
                "fields": _fields(document, result.entry),
                "by": result.theirs_by,
                "at": _stamp(result.theirs_at),
                "conflicts": [
                    {"path": c.path, "mine": c.mine, "theirs": c.theirs} for c in result.conflicts
                ],
                "message": _(
                    "%(who)s changed this at %(when)s while you were editing. Both versions are "
                    "shown: keep yours or take theirs."
                )
                % {"who": result.theirs_by or _("someone"), "when": _stamp(result.theirs_at)},
            },
            status=409,
        )
    entry = result.entry
    assert entry is not None
    return JsonResponse(
        {
            "status": result.status,
            "key": entry.key,
            "revision": entry.revision,
            "content": entry.content,
            "fields": _fields(document, entry),
            "saved_at": _stamp(entry.updated_at),
            "derived": _derived(document, entry),
        },
        encoder=_Encoder,
    )


class _Encoder(json.JSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, Decimal):
            return str(o)
        return super().default(o)


def _errors(exc: ContentError, status: int = 400) -> JsonResponse:
    return JsonResponse({"status": "invalid", "errors": exc.errors}, status=status)


EntryHandler = Callable[[AuthenticatedRequest, Document, dict[str, Any]], JsonResponse]


def entry_endpoint(unknown: str) -> Callable[[EntryHandler], Callable[..., JsonResponse]]:
    """One shape for every editor endpoint: POST only, behind EDIT, the document loaded
    through the scoping layer, the JSON body read, and refusals as JSON the page can show
    (``unknown`` is the message for a key or table the document does not have)."""

    def decorate(handler: EntryHandler) -> Callable[..., JsonResponse]:
        @requires(Capability.EDIT)
        @require_POST
        @wraps(handler)
        def view(request: AuthenticatedRequest, pk: int) -> JsonResponse:
            document = load_document(request.user, pk, Capability.EDIT)
            try:
                return handler(request, document, _body(request))
            except (KeyError, Entry.DoesNotExist):
                return _errors(ContentError({"key": str(_(unknown))}))
            except ContentError as exc:
                return _errors(exc)
            except PermissionDenied as exc:
                return JsonResponse({"status": "refused", "errors": {"": str(exc)}}, status=403)

        return view

    return decorate


@entry_endpoint(gettext_noop("This document has no such field."))
def entry_save(
    request: AuthenticatedRequest, document: Document, data: dict[str, Any]
) -> JsonResponse:
    result = do_save_entry(
        document,
        str(data.get("key", "")),
        _int(data, "base", 0),
        data.get("content"),
        actor=request.user,
        locale=input_locale(),
    )
    return _respond(document, result)


@entry_endpoint(gettext_noop("This document has no such table."))
def entry_add(
    request: AuthenticatedRequest, document: Document, data: dict[str, Any]
) -> JsonResponse:
    after = data.get("after")
    entry = do_add_entry(
        document,
        str(data.get("container", "")),
        data.get("content") or {},
        actor=request.user,
        locale=input_locale(),
        after_key=str(after) if after else None,
    )
    return _respond(document, SaveResult("saved", entry))


@entry_endpoint(gettext_noop("This document has no such row."))
def entry_delete(
    request: AuthenticatedRequest, document: Document, data: dict[str, Any]
) -> JsonResponse:
    key = str(data.get("key", ""))
    parse_key(document.framework_version.parsed(), key)
    result = do_delete_entry(document, key, _int(data, "base", 0), actor=request.user)
    if result.status == "conflict":
        return _respond(document, result)
    return JsonResponse({"status": result.status, "key": key})


@entry_endpoint(gettext_noop("This document has no such row."))
def entry_move(
    request: AuthenticatedRequest, document: Document, data: dict[str, Any]
) -> JsonResponse:
    key = str(data.get("key", ""))
    after = data.get("after")
    entry = do_move_entry(document, key, str(after) if after else None, actor=request.user)
    return JsonResponse({"status": "saved", "key": key, "revision": entry.revision})
