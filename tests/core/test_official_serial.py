"""What an issued document prints is kept as JSON (govplan.core.official.serial): it comes
back exactly as it was, and data of another format is refused rather than printed."""

from __future__ import annotations

import json

import pytest

from govplan.core.official.serial import from_data, to_data
from tests.core.test_official_docx import PLAN, PLAN_BY_DECISION


@pytest.mark.parametrize("doc", [PLAN, PLAN_BY_DECISION], ids=["direct", "decision"])
def test_a_model_kept_as_json_comes_back_exactly(doc) -> None:  # type: ignore[no-untyped-def]
    stored = json.loads(json.dumps(to_data(doc)))  # as the database gives it back
    assert from_data(stored) == doc
    assert to_data(from_data(stored)) == stored


def test_a_model_of_another_format_is_refused() -> None:
    data = to_data(PLAN)
    with pytest.raises(ValueError, match="format"):
        from_data({**data, "format": 99})
    with pytest.raises(ValueError):
        from_data({**data, "sections": [{"t": "?"}]})
