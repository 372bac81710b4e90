"""Django's makemessages, knowing the project's one alias besides ``_``: ``_l`` for
``gettext_lazy`` where a module also uses ``gettext`` as ``_`` (form labels). Without it,
`make messages` dropped those messages from the catalogue as if unused."""

from __future__ import annotations

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_l"]
