"""The owner of an account is e-mailed when its password or second factor changes, after the
change commits, through the job engine; a rolled-back change sends nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.db import transaction

from govplan.accounts.actions import (
    do_enrol_second_factor,
    do_reset_password,
    do_reset_second_factor,
    do_set_password,
)
from govplan.accounts.second_factor import current_code
from tests.conftest import Cast
from tests.support.otp import TEST_SECRET, authenticator_for

pytestmark = pytest.mark.django_db

GOOD = "một mật khẩu đủ dài 2026 ☂"


@pytest.fixture
def editor(cast: Cast) -> Any:
    cast.editor_a.email = "bientap@bacgiang.gov.vn"
    cast.editor_a.save(update_fields=["email"])
    return cast.editor_a


def test_each_change_sends_its_notice_to_the_owner(
    cast: Cast, editor: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        do_set_password(editor, GOOD, actor=cast.central_admin)
    with django_capture_on_commit_callbacks(execute=True):
        do_set_password(editor, GOOD + "x", actor=editor)
    with django_capture_on_commit_callbacks(execute=True):
        do_reset_password(editor, GOOD + "y")
    assert [m.to for m in mail.outbox] == [["bientap@bacgiang.gov.vn"]] * 3
    assert "đặt mật khẩu mới cho tài khoản" in mail.outbox[0].body
    assert "Mật khẩu GovPlan của bạn đã được thay đổi" in mail.outbox[1].body
    assert "liên kết" in mail.outbox[2].body
    assert all("/account/" in m.body for m in mail.outbox)


def test_second_factor_enrolled_then_reset(
    cast: Cast, editor: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        do_enrol_second_factor(editor, TEST_SECRET, current_code(TEST_SECRET))
    with django_capture_on_commit_callbacks(execute=True):
        do_reset_second_factor(editor, actor=cast.central_admin)
    assert len(mail.outbox) == 2
    assert "ứng dụng xác thực đã được thiết lập" in mail.outbox[0].body
    assert "đã bị gỡ bỏ" in mail.outbox[1].body


def test_nothing_is_sent_for_a_change_rolled_back_nor_to_an_account_without_address(
    cast: Cast, editor: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                do_set_password(editor, GOOD, actor=editor)
                raise RuntimeError("the request failed after the change")
        except RuntimeError:
            pass
    editor.refresh_from_db()
    assert not editor.check_password(GOOD)
    authenticator_for(cast.appraiser)
    with django_capture_on_commit_callbacks(execute=True):
        do_reset_second_factor(cast.appraiser, actor=cast.central_admin)  # no e-mail address
    assert mail.outbox == []
