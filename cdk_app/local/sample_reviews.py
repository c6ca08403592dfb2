"""The reviews the seed posts, so the local shop's product pages show ratings and reviewers' names.

Three local shoppers with names write them through POST /reviews, as any signed-in shopper does. They
stay off the products whose tests expect no reviews (the Study Bible, the Grace Hoodie, the Volunteer
Polo) and off the shopper@ account, whose tests write reviews of their own.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SampleReviewer:
    email: str
    name: str


@dataclass(frozen=True)
class SampleReview:
    sku: str
    reviewer: SampleReviewer
    rating: int
    title: str
    text: str


RUTH = SampleReviewer("ruth@shop.local", "Ruth Adams")
DANIEL = SampleReviewer("daniel@shop.local", "Daniel Okafor")
GRACE = SampleReviewer("grace@shop.local", "Grace Lin")
SAMPLE_REVIEWERS = (RUTH, DANIEL, GRACE)

SAMPLE_REVIEWS: tuple[SampleReview, ...] = (
    SampleReview(
        "AP-TEE-CROSS",
        RUTH,
        5,
        "Soft and true to size",
        "I ordered a medium in navy and it fits exactly like my other tees. Still soft after a month of "
        "washing, and the print has not cracked.",
    ),
    SampleReview(
        "AP-TEE-CROSS",
        DANIEL,
        4,
        "Great print, a little long",
        "The cross print is crisp and the colour is rich. The body runs a bit long on me, so I would "
        "size down if you are between sizes.",
    ),
    SampleReview(
        "AP-TEE-CROSS",
        GRACE,
        5,
        "Bought one for the whole small group",
        "The forest green is lovely in person. Everyone in our group wears theirs on Sunday evenings.",
    ),
    SampleReview(
        "MC-MUG",
        RUTH,
        5,
        "My morning coffee mug now",
        "Heavy enough to feel solid, and the verse on the back is a good reminder before the day starts.",
    ),
    SampleReview(
        "MC-MUG",
        GRACE,
        4,
        "Pretty, holds a lot",
        "Twelve ounces is generous. The gold glaze inside is even prettier than the photo.",
    ),
    SampleReview(
        "BK-DEVOTIONAL",
        DANIEL,
        5,
        "Five minutes that set the tone",
        "Short enough to read before work, deep enough to think about all day. The closing question "
        "is the best part.",
    ),
    SampleReview(
        "MT-SERMONS",
        RUTH,
        4,
        "A real help on busy weeks",
        "The outlines are solid starting points and the illustrations are fresh. I adapt them rather "
        "than preach them as they are, which is how they are meant to be used.",
    ),
)
