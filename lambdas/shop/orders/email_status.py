"""Recording on an order that SES refused its address for good, so the admin's order view shows it."""

from __future__ import annotations

from shop.orders.model import EmailProblem
from shop.orders.repository import OrderRepository
from shop.platform.clock import now_iso
from shop.platform.observability import logger

UNDELIVERABLE = "undeliverable"


def record_undeliverable_email(order_id: str, *, template: str, reason: str) -> bool:
    """Mark the order `email_status: undeliverable` with SES's words and the time; False when no
    such order exists (the email was about one since removed: nothing left to mark)."""
    repository = OrderRepository()
    order = repository.get(order_id)
    if order is None:
        logger.warning("undeliverable email for an unknown order", extra={"order_id": order_id})
        return False
    problem = EmailProblem(template=template, reason=reason, at=now_iso())
    repository.update_fields(
        order, {"email_status": UNDELIVERABLE, "email_problem": problem.model_dump(mode="json")}
    )
    logger.warning(
        "order email undeliverable", extra={"order_id": order_id, "template": template, "reason": reason}
    )
    return True
