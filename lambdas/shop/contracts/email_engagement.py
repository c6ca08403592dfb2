"""The public routes a marketing email's open pixel and click-through links go to, and their ids.

Shared by the route table (cdk_app.api_routes), the links email_sender renders (shop.email.engagement)
and the handler that records them (marketing_automation_api).
"""

from __future__ import annotations

from typing import Final

# `message_id` is the MarketingQueue item's queue_id (shop.marketing.repository.queue_id_for).
OPEN_PATH: Final = "/m/open/{message_id}"
CLICK_PATH: Final = "/m/click/{message_id}"
MESSAGE_ID_PATTERN: Final = "^mq_[0-9a-f]{32}$"
# The query parameter a click-through appends to the shop page it lands on; the site keeps it and
# checkout sends it with the order as `campaign_message_id` (docs/marketing.md).
CAMPAIGN_PARAM: Final = "mc"
