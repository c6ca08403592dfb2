"""Marketing automation: the four daily scans (abandoned carts, browse abandonment, price drops,
restocks), the MarketingQueue they write, and the analytics read from it.

Every scan finds candidates and hands them to `campaign.Campaign`, which applies the same rules to
all of them: consent, duplicate suppression, a queue item, one EmailRequest, and the sent marker.
See docs/marketing.md.
"""
