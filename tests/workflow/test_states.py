"""One list of a document's states (govplan.core.workflow); every other list is derived from
it, and these tests hold the derived ones to it."""

from __future__ import annotations

import importlib

from govplan.core import workflow as machine
from govplan.documents.actions import EDITABLE_STATUSES
from govplan.documents.due import SENT
from govplan.documents.models import DocumentStatus
from govplan.workflow.labels import state_phrases
from govplan.workflow.reminders import NOT_SUBMITTED


def test_the_model_choices_are_the_machines_states_in_order() -> None:
    assert tuple(DocumentStatus.values) == machine.STATES


def test_every_transition_goes_between_known_states() -> None:
    for transition in machine.TRANSITIONS.values():
        assert set(transition.sources) <= set(machine.STATES)
        assert transition.target in machine.STATES


def test_derived_groups_are_the_machines() -> None:
    assert tuple(EDITABLE_STATUSES) == machine.EDITABLE
    assert NOT_SUBMITTED == machine.EDITABLE
    assert SENT == machine.SENT
    assert set(machine.EDITABLE) | set(machine.SENT) == set(machine.STATES)
    assert set(machine.FINAL) <= set(machine.SENT)


def test_every_state_reads_in_a_sentence() -> None:
    assert set(state_phrases()) == set(machine.STATES)
    assert len(set(state_phrases().values())) == len(machine.STATES)


def test_the_database_guard_allows_entry_writes_in_the_editable_states_only() -> None:
    migration = importlib.import_module(
        "govplan.documents.migrations.0003_entries_only_while_editable"
    )
    assert migration.EDITABLE == machine.EDITABLE
