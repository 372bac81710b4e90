"""Registering the certificates an approver signs with: only signatures made with one of
them are accepted on the unit's issued documents. Each change is one transaction with its
audit entry."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govplan.access.scoping import Capability, scope_for
from govplan.accounts.models import Membership, Role
from govplan.accounts.types import User
from govplan.audit.recorder import record
from govplan.core.adapters import signing
from govplan.official.models import SignerCertificate
from govplan.official.signatures import message, verify_certificate
from govplan.orgunits.models import OrgUnit

MAX_CERTIFICATE_BYTES = 64 * 1024


def approvers(unit: OrgUnit) -> list[User]:
    """The active users holding the approver role in ``unit`` itself."""
    return [
        m.user
        for m in Membership.objects.filter(org_unit=unit, role=Role.APPROVER, user__is_active=True)
        .select_related("user")
        .order_by("user__username")
    ]


def may_register_for(actor: User, unit: OrgUnit) -> list[User]:
    """For whom ``actor`` may register a certificate in ``unit``: a central administrator
    for any of its approvers, an approver for themself."""
    people = approvers(unit)
    if scope_for(actor).is_central_admin:
        return people
    return [p for p in people if p.pk == actor.pk]


def do_register_certificate(
    unit: OrgUnit, user: User, data: bytes, *, actor: User
) -> SignerCertificate:
    """Register the certificate in ``data`` (PEM or DER) for ``user``, an approver of
    ``unit``. Refused (ValidationError, with the reason) unless it is a certificate that may
    sign documents, chains to a trusted root and is valid now, and no one else has it."""
    if user not in may_register_for(actor, unit):
        raise PermissionDenied
    if len(data) > MAX_CERTIFICATE_BYTES:
        raise ValidationError(_("This is not a certificate: the file is far too large."))
    try:
        info = signing.certificate_info(data)
    except signing.SigningError as exc:
        raise ValidationError(message(exc.message)) from exc
    problems = verify_certificate(info.der)
    if problems:
        raise ValidationError(
            _("The certificate is not registered: %(problems)s")
            % {"problems": " ".join(message(p) for p in problems)}
        )
    held = (
        SignerCertificate.objects.filter(fingerprint=info.fingerprint, withdrawn_at__isnull=True)
        .select_related("user", "org_unit")
        .first()
    )
    if held is not None:
        raise ValidationError(
            _("This certificate is already registered for %(user)s in %(unit)s.")
            % {"user": held.user.display_name, "unit": held.org_unit.name}
        )
    try:
        with transaction.atomic():
            certificate = SignerCertificate.objects.create(
                user=user,
                org_unit=unit,
                certificate=info.der,
                fingerprint=info.fingerprint,
                subject=info.subject[:500],
                issuer=info.issuer[:500],
                serial=info.serial[:100],
                not_before=info.not_before,
                not_after=info.not_after,
                registered_by=actor,
            )
            record(
                "official.certificate.register",
                actor=actor,
                obj=certificate,
                after={
                    "user": user.get_username(),
                    "unit": unit.pk,
                    "fingerprint": info.fingerprint,
                    "subject": info.subject,
                    "issuer": info.issuer,
                    "serial": info.serial,
                    "not_after": info.not_after,
                },
            )
    except IntegrityError as exc:  # registered at the same moment by someone else
        raise ValidationError(_("This certificate is already registered.")) from exc
    return certificate


def do_withdraw_certificate(certificate: SignerCertificate, *, actor: User) -> SignerCertificate:
    """Withdraw a registration (its holder or a central administrator): later signatures
    made with it are refused; what was issued with it stays as it was."""
    if actor.pk != certificate.user_id and not scope_for(actor).is_central_admin:
        raise PermissionDenied
    with transaction.atomic():
        locked = SignerCertificate.objects.select_for_update(no_key=True).get(pk=certificate.pk)
        if locked.withdrawn_at is not None:
            raise ValidationError(_("This certificate was withdrawn already."))
        locked.withdrawn_at = timezone.now()
        locked.withdrawn_by = actor
        locked.save(update_fields=["withdrawn_at", "withdrawn_by"])
        record(
            "official.certificate.withdraw",
            actor=actor,
            obj=locked,
            before={"withdrawn_at": None},
            after={"withdrawn_at": locked.withdrawn_at, "fingerprint": locked.fingerprint},
        )
    return locked


def can_manage(actor: User, unit: OrgUnit) -> bool:
    """Who sees a unit's signers' certificates: its agency (editors, approvers) and the
    central administrators."""
    scope = scope_for(actor)
    return (
        scope.is_central_admin
        or scope.can(Capability.EDIT, unit)
        or scope.can(Capability.APPROVE, unit)
    )
