"""The billing history: Stripe invoices copied into ``billing_invoices``."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from blueprints.billing.models import INVOICE_STATUSES, Invoice
from blueprints.billing.periods import from_timestamp
from blueprints.billing.sources import in_org
from blueprints.billing.state import now
from engagex.api import Page, keyset_page
from engagex.db import db

_RANK = {status: rank for rank, status in enumerate(INVOICE_STATUSES)}


def invoice_subscription_id(obj: dict[str, Any]) -> str | None:
    """The subscription an invoice bills (``parent`` since API 2025-03-31, else legacy)."""
    parent = obj.get("parent") or {}
    details = parent.get("subscription_details") or {}
    value = details.get("subscription") or obj.get("subscription")
    if isinstance(value, dict):  # expanded
        value = value.get("id")
    return str(value) if value else None


def get_invoice(stripe_invoice_id: str) -> Invoice | None:
    return db.session.scalars(
        sa.select(Invoice).where(Invoice.stripe_invoice_id == stripe_invoice_id)
    ).one_or_none()


def upsert_invoice(org_id: int, obj: dict[str, Any]) -> Invoice:
    """Store a Stripe invoice; an older snapshot never moves a status backwards."""
    status = str(obj.get("status") or "open")
    if status not in _RANK:
        status = "open"
    paid_at = from_timestamp((obj.get("status_transitions") or {}).get("paid_at"))
    values = {
        "stripe_subscription_id": invoice_subscription_id(obj),
        "number": obj.get("number"),
        "status": status,
        "currency": str(obj.get("currency") or "usd")[:3],
        "amount_due": int(obj.get("amount_due") or 0),
        "amount_paid": int(obj.get("amount_paid") or 0),
        "hosted_invoice_url": obj.get("hosted_invoice_url"),
        "invoice_pdf": obj.get("invoice_pdf"),
        "period_start": from_timestamp(obj.get("period_start")),
        "period_end": from_timestamp(obj.get("period_end")),
        "issued_at": from_timestamp(obj.get("created")) or now(),
        "paid_at": paid_at if status == "paid" else None,
    }
    with in_org(org_id):
        invoice = get_invoice(str(obj["id"]))
        if invoice is None:
            invoice = Invoice(stripe_invoice_id=str(obj["id"]), **values)
            db.session.add(invoice)
        elif _RANK[status] >= _RANK.get(invoice.status, 0):
            for key, value in values.items():
                if value is not None or key == "paid_at":
                    setattr(invoice, key, value)
        db.session.flush()
        return invoice


def list_invoices(org_id: int, *, limit: int = 50, cursor: str | None = None) -> Page:
    """The organization's invoices, newest first."""
    with in_org(org_id):
        return keyset_page(
            sa.select(Invoice),
            [Invoice.issued_at, Invoice.id],
            limit=limit,
            cursor=cursor,
            descending=True,
        )
