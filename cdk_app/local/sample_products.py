"""The local shop's sample products: six categories, 30 products, as a table.

Stock levels cover every state a shopper can meet: plenty, low, one sold out, and digital downloads
that never run out. Apparel comes in colours (and sizes), each a variant with its own SKU and stock;
a product's `stock` is the sum of its variants'. `art` and `emblem` say what product_art draws;
`extra_views` are the pictures beyond the main one (suffix, what it shows). Descriptions keep their
paragraphs apart with a blank line ("\\n\\n").
"""

from __future__ import annotations

from dataclasses import dataclass, field

ONE_SIZE = "One size"
SHIRT_SIZES = ("S", "M", "L", "XL", "XXL")
XXL_SURCHARGE_CENTS = 200  # the extra fabric of an XXL garment


@dataclass(frozen=True)
class SampleColour:
    """One colour of an apparel product: its stock per size, in the product's `sizes` order."""

    name: str
    hex: str
    stock: tuple[int, ...]

    @property
    def code(self) -> str:
        return self.name.upper().replace(" ", "-")


@dataclass(frozen=True)
class SampleProduct:
    sku: str
    name: str
    category: str
    price_cents: int
    stock: int
    description: str
    tags: tuple[str, ...]
    featured: bool = False
    digital: bool = False
    colour: str = "#3b6ea5"
    subcategory: str | None = None
    art: str = "book"
    emblem: str = "cross"
    weight_lb: float | None = None
    dimensions_in: tuple[float, float, float] | None = None  # length, width, height
    sizes: tuple[str, ...] = ()
    colours: tuple[SampleColour, ...] = ()
    extra_views: tuple[tuple[str, str], ...] = field(default=())


@dataclass(frozen=True)
class SampleVariant:
    sku: str
    size: str
    colour: SampleColour
    price_cents: int | None  # None: the product's price
    stock: int


def variants(product: SampleProduct) -> list[SampleVariant]:
    """The product's variants, colour by colour, sizes in order (the first is the page's default)."""
    return [
        SampleVariant(
            sku=f"{product.sku}-{colour.code}" + ("" if size == ONE_SIZE else f"-{size}"),
            size=size,
            colour=colour,
            price_cents=product.price_cents + XXL_SURCHARGE_CENTS if size == "XXL" else None,
            stock=stock,
        )
        for colour in product.colours
        for size, stock in zip(product.sizes, colour.stock, strict=True)
    ]


SAMPLE_PRODUCTS: tuple[SampleProduct, ...] = (
    # -- Books ------------------------------------------------------------------------------------------
    SampleProduct(
        "BK-STUDY-BIBLE",
        "Study Bible",
        "Books",
        4999,
        40,
        "Study Bible with notes, maps and a concordance. Every chapter opens with a short introduction "
        "to its setting and themes, and cross-references run down the centre column.\n\n"
        "Bound in durable cloth over boards with a ribbon marker, printed on cream paper that keeps "
        "the text on the other side from showing through.",
        ("bible", "study"),
        True,
        colour="#6b3e26",
        subcategory="Bibles",
        emblem="cross",
        weight_lb=3.1,
        dimensions_in=(9.5, 6.8, 2.1),
        extra_views=(("back", "back cover"), ("inside", "inside spread")),
    ),
    SampleProduct(
        "BK-DEVOTIONAL",
        "365-Day Devotional",
        "Books",
        1899,
        60,
        "A short reading and prayer for every day of the year. Each page takes five minutes and ends "
        "with one question to carry through the day. Start on any date: the readings are numbered, "
        "not tied to the calendar.",
        ("devotional", "daily"),
        colour="#2f6f73",
        subcategory="Devotionals",
        emblem="sun",
        weight_lb=1.2,
        dimensions_in=(8.0, 5.5, 1.3),
        extra_views=(("inside", "inside spread"),),
    ),
    SampleProduct(
        "BK-HISTORY",
        "A Short History of the Early Church",
        "Books",
        2450,
        15,
        "The first four centuries in plain language: from Pentecost to the Council of Nicaea. Maps, "
        "a timeline and a list of the people who shaped the young church help readers keep their "
        "bearings.",
        ("history", "church"),
        colour="#7a2e3a",
        subcategory="History",
        emblem="crown",
        weight_lb=1.4,
        dimensions_in=(9.0, 6.0, 1.1),
        extra_views=(("back", "back cover"),),
    ),
    SampleProduct(
        "BK-PRAYER",
        "Learning to Pray",
        "Books",
        1599,
        25,
        "A practical guide to a life of prayer. Twelve short chapters move from the Lord's Prayer to "
        "praying the Psalms, with exercises to try at the end of each.",
        ("prayer",),
        colour="#3d5a80",
        subcategory="Christian living",
        emblem="dove",
        weight_lb=0.8,
        dimensions_in=(8.0, 5.3, 0.7),
    ),
    SampleProduct(
        "BK-FAMILY",
        "Faith at the Family Table",
        "Books",
        2199,
        8,
        "Conversation starters and readings for families. Fifty-two evenings, one a week, each with a "
        "short story, a verse to learn together and questions for every age at the table.",
        ("family", "devotional"),
        colour="#b5651d",
        subcategory="Family",
        emblem="heart",
        weight_lb=1.1,
        dimensions_in=(9.0, 7.0, 0.8),
    ),
    SampleProduct(
        "BK-COMMENTARY",
        "Commentary on Romans",
        "Books",
        3499,
        0,
        "Verse by verse through Paul's letter. Back soon.\n\n"
        "Written for preachers and small-group leaders alike, with the Greek explained where it "
        "matters and application questions after every section.",
        ("commentary", "study"),
        colour="#374151",
        subcategory="Commentaries",
        emblem="leaf",
        weight_lb=2.0,
        dimensions_in=(9.3, 6.3, 1.6),
    ),
    # -- Apparel ----------------------------------------------------------------------------------------
    SampleProduct(
        "AP-TEE-CROSS",
        "Cross T-Shirt",
        "Apparel",
        2200,
        120,
        "Soft cotton tee with a simple cross print. Ring-spun, pre-shrunk and cut for a relaxed fit; "
        "the print is water-based ink that stays soft after many washes.\n\n"
        "Sizes S to XXL. Machine wash cold, tumble dry low.",
        ("tshirt", "cotton"),
        True,
        colour="#1f6feb",
        subcategory="T-shirts",
        art="tee",
        weight_lb=0.4,
        dimensions_in=(12.0, 10.0, 1.0),
        sizes=SHIRT_SIZES,
        colours=(
            SampleColour("Navy", "#1f2a44", (8, 14, 12, 6, 0)),
            SampleColour("Heather Grey", "#9aa0a6", (6, 12, 12, 8, 2)),
            SampleColour("Forest Green", "#2f5d46", (5, 12, 14, 6, 3)),
        ),
        extra_views=(("back", "back view"),),
    ),
    SampleProduct(
        "AP-HOODIE",
        "Grace Hoodie",
        "Apparel",
        4500,
        35,
        "Heavyweight hoodie, embroidered front. Brushed fleece inside, a lined hood with flat "
        "drawcords and a kangaroo pocket big enough for a phone and a pocket Bible.",
        ("hoodie", "winter"),
        colour="#44403c",
        subcategory="Sweatshirts",
        art="hoodie",
        emblem="dove",
        weight_lb=1.3,
        dimensions_in=(14.0, 12.0, 3.0),
        sizes=SHIRT_SIZES,
        colours=(
            SampleColour("Charcoal", "#3a3d42", (8, 6, 5, 3, 0)),
            SampleColour("Cream", "#efe6d2", (4, 4, 3, 2, 0)),
        ),
    ),
    SampleProduct(
        "AP-CAP",
        "Embroidered Cap",
        "Apparel",
        1800,
        50,
        "Adjustable cap with an embroidered logo. Six-panel brushed cotton twill with a curved brim "
        "and a brass buckle strap; one size fits most.",
        ("hat", "cap"),
        colour="#1e3a5f",
        subcategory="Hats",
        art="cap",
        weight_lb=0.2,
        dimensions_in=(10.0, 8.0, 5.0),
        sizes=(ONE_SIZE,),
        colours=(
            SampleColour("Navy", "#1e3a5f", (20,)),
            SampleColour("Stone", "#cbbd9f", (18,)),
            SampleColour("Burgundy", "#6d1f2f", (12,)),
        ),
    ),
    SampleProduct(
        "AP-BEANIE",
        "Knit Beanie",
        "Apparel",
        1600,
        4,
        "Warm knit beanie, one size. A deep cuff, a soft acrylic-wool blend and a pom-pom on top; made "
        "in one colour, heather red, while the yarn lasts.",
        ("hat", "winter"),
        colour="#9b2c2c",
        subcategory="Hats",
        art="beanie",
        weight_lb=0.2,
        dimensions_in=(9.0, 8.0, 2.0),
    ),
    SampleProduct(
        "AP-POLO",
        "Volunteer Polo",
        "Apparel",
        2800,
        70,
        "Breathable polo for event volunteers. Moisture-wicking piqué knit that keeps its shape "
        "through a long day, with a small embroidered cross on the chest.\n\n"
        "Order a few of each size: teams rarely share one.",
        ("polo", "events"),
        colour="#0f4c81",
        subcategory="Polos",
        art="polo",
        weight_lb=0.5,
        dimensions_in=(12.0, 10.0, 1.5),
        sizes=SHIRT_SIZES,
        colours=(
            SampleColour("Royal Blue", "#1d4e89", (12, 10, 8, 4, 2)),
            SampleColour("White", "#f4f4f2", (10, 9, 8, 5, 2)),
        ),
    ),
    # -- Resources --------------------------------------------------------------------------------------
    SampleProduct(
        "RS-VOTER-GUIDE",
        "Voter Guide 2026",
        "Resources",
        500,
        500,
        "Candidate positions on the issues, side by side. Each race gets one page with the "
        "candidates' own published answers, sources cited, so readers can weigh them for themselves.",
        ("voter", "guide"),
        True,
        colour="#8250df",
        subcategory="Civic life",
        art="booklet",
        emblem="star",
        weight_lb=0.2,
        dimensions_in=(8.5, 5.5, 0.2),
    ),
    SampleProduct(
        "RS-STUDY-GUIDE",
        "Small-Group Study Guide",
        "Resources",
        1200,
        80,
        "Eight sessions with questions for discussion. Spiral-bound so it lies flat, with room to "
        "write, an opening icebreaker for each week and notes for the person leading.",
        ("study", "group"),
        colour="#15803d",
        subcategory="Small groups",
        art="workbook",
        emblem="leaf",
        weight_lb=0.6,
        dimensions_in=(11.0, 8.5, 0.4),
    ),
    SampleProduct(
        "RS-CURRICULUM",
        "Youth Curriculum Box",
        "Resources",
        8900,
        12,
        "Twelve weeks of lessons, handouts and leader notes. The box holds a leader's binder, "
        "twenty student journals and a USB drive with slides and videos.\n\n"
        "Written for ages 12 to 17; every lesson fits a 60-minute meeting.",
        ("youth", "curriculum"),
        colour="#d97706",
        subcategory="Youth ministry",
        art="box",
        emblem="flame",
        weight_lb=6.5,
        dimensions_in=(13.0, 11.0, 6.0),
    ),
    SampleProduct(
        "RS-CIVICS",
        "Civics Pocket Guide",
        "Resources",
        700,
        200,
        "The Constitution and Bill of Rights in your pocket. The full text with every amendment, "
        "a short guide to how a bill becomes law and an index to find a clause quickly.",
        ("civics", "guide"),
        colour="#1e3a8a",
        subcategory="Civic life",
        art="booklet",
        emblem="star",
        weight_lb=0.1,
        dimensions_in=(5.5, 3.5, 0.2),
    ),
    # -- Digital downloads --------------------------------------------------------------------------------
    SampleProduct(
        "DD-EBOOK-HOPE",
        "Hope Rising (e-book)",
        "Digital Downloads",
        999,
        0,
        "E-book edition: read on any device, download after payment. Ten true stories of people who "
        "found hope in the hardest seasons of their lives, each followed by a short reflection.",
        ("ebook",),
        True,
        True,
        "#0f7b6c",
        subcategory="E-books",
        art="tablet",
        emblem="sun",
    ),
    SampleProduct(
        "DD-COURSE",
        "Foundations Video Course",
        "Digital Downloads",
        4900,
        0,
        "Ten video lessons with printable notes. Each lesson runs about twenty minutes and covers "
        "one foundation of the faith, from Scripture to prayer to the church.",
        ("video", "course"),
        digital=True,
        colour="#b45309",
        subcategory="Courses",
        art="laptop",
    ),
    SampleProduct(
        "DD-PDF-PLANNER",
        "Prayer Planner (PDF)",
        "Digital Downloads",
        600,
        0,
        "A printable planner for a year of prayer. Monthly prayer lists, weekly pages for requests and "
        "answers, and a habit tracker; print as many copies as your household needs.",
        ("pdf", "planner"),
        digital=True,
        colour="#be185d",
        subcategory="Printables",
        art="planner",
    ),
    SampleProduct(
        "DD-AUDIO",
        "Psalms Audiobook",
        "Digital Downloads",
        1499,
        0,
        "The Psalms read aloud, MP3. All 150 psalms in one calm voice, a track per psalm, about "
        "five hours in all: for the commute, a walk or the end of the day.",
        ("audio",),
        digital=True,
        colour="#4338ca",
        subcategory="Audiobooks",
        art="audio",
    ),
    # -- Merchandise --------------------------------------------------------------------------------------
    SampleProduct(
        "MC-MUG",
        "Morning Grace Mug",
        "Merchandise",
        1400,
        90,
        'Ceramic mug, 12 oz, dishwasher safe. "Morning Grace" on one side and Lamentations 3:23 on '
        "the other, in a glaze that will not fade in the dishwasher or the microwave.",
        ("mug", "kitchen"),
        True,
        colour="#bf8700",
        subcategory="Drinkware",
        art="mug",
        emblem="sun",
        weight_lb=1.0,
        dimensions_in=(5.0, 4.0, 4.0),
        extra_views=(("side-b", "other side"),),
    ),
    SampleProduct(
        "MC-STICKERS",
        "Sticker Pack",
        "Merchandise",
        600,
        300,
        "Ten weatherproof vinyl stickers. Designs that hold up on a water bottle, a laptop or a "
        "car window, in sun and rain.",
        ("stickers",),
        colour="#0e7490",
        subcategory="Stickers",
        art="stickers",
        weight_lb=0.1,
        dimensions_in=(6.0, 4.0, 0.1),
    ),
    SampleProduct(
        "MC-POSTER",
        "Beatitudes Poster",
        "Merchandise",
        1900,
        25,
        "18x24 in poster on heavy matte paper. The Beatitudes set in classic type on a warm ground; "
        "shipped rolled in a sturdy tube, frame not included.",
        ("poster", "art"),
        colour="#92400e",
        subcategory="Wall art",
        art="poster",
        weight_lb=0.5,
        dimensions_in=(25.0, 3.0, 3.0),
    ),
    SampleProduct(
        "MC-TOTE",
        "Canvas Tote",
        "Merchandise",
        1700,
        3,
        "Sturdy canvas tote bag. Heavy cotton canvas with long handles for the shoulder and an inside "
        "pocket; carries a week of groceries or a stack of books.",
        ("bag",),
        colour="#a16207",
        subcategory="Bags",
        art="tote",
        emblem="cross",
        weight_lb=0.5,
        dimensions_in=(15.0, 16.0, 4.0),
    ),
    SampleProduct(
        "MC-BOOKMARK",
        "Leather Bookmark",
        "Merchandise",
        900,
        150,
        "Hand-stamped leather bookmark. Full-grain leather with a stitched edge and a tassel; it "
        "darkens to a rich patina with use.",
        ("bookmark", "leather"),
        colour="#8b5a2b",
        subcategory="Gifts",
        art="bookmark",
        emblem="cross",
        weight_lb=0.05,
        dimensions_in=(7.0, 1.5, 0.1),
    ),
    SampleProduct(
        "MC-CALENDAR",
        "2027 Wall Calendar",
        "Merchandise",
        1500,
        45,
        "Scripture and photography for every month. Twelve landscapes with a verse each, large date "
        "boxes for notes and the church year's feast days marked.",
        ("calendar",),
        colour="#0369a1",
        subcategory="Calendars",
        art="calendar",
        weight_lb=0.9,
        dimensions_in=(12.0, 12.0, 0.3),
    ),
    # -- Ministry tools -----------------------------------------------------------------------------------
    SampleProduct(
        "MT-SERMONS",
        "Sermon Outline Pack",
        "Ministry Tools",
        2900,
        100,
        "52 sermon outlines with illustrations. A year of Sundays, each outline with a main text, "
        "three points, an illustration and questions for the week.\n\n"
        "Printed and three-hole punched, to adapt in your own words.",
        ("sermon", "pastor"),
        True,
        colour="#cf222e",
        subcategory="Preaching",
        art="papers",
        weight_lb=1.5,
        dimensions_in=(11.0, 8.5, 1.0),
    ),
    SampleProduct(
        "MT-GRAPHICS",
        "Church Graphics Package",
        "Ministry Tools",
        3900,
        100,
        "Slides, social images and bulletin covers. Forty designs in matching styles for the church "
        "year, delivered on a USB drive with editable files.",
        ("graphics", "media"),
        colour="#7c3aed",
        subcategory="Media",
        art="screens",
        emblem="star",
        weight_lb=0.2,
        dimensions_in=(6.0, 4.0, 1.0),
    ),
    SampleProduct(
        "MT-GREETER",
        "Greeter Team Kit",
        "Ministry Tools",
        5500,
        10,
        "Name badges, lanyards and a training guide. Enough for a team of twelve: reusable badges, "
        "soft lanyards and a guide to welcoming first-time guests well.",
        ("volunteers",),
        colour="#0f766e",
        subcategory="Volunteers",
        art="badge",
        weight_lb=1.8,
        dimensions_in=(12.0, 9.0, 3.0),
    ),
    SampleProduct(
        "MT-VBS",
        "VBS Planning Binder",
        "Ministry Tools",
        6400,
        6,
        "Everything to plan a week of vacation Bible school. Schedules, volunteer roles, craft and "
        "game ideas, shopping lists and reproducible forms in a sturdy binder.",
        ("vbs", "kids"),
        colour="#ea580c",
        subcategory="Children's ministry",
        art="binder",
        emblem="sun",
        weight_lb=3.0,
        dimensions_in=(11.5, 10.5, 2.5),
    ),
    SampleProduct(
        "MT-COUNSEL",
        "Pastoral Care Handbook",
        "Ministry Tools",
        3200,
        20,
        "Visits, crises and care plans. A handbook for pastors and care teams on hospital and home "
        "visits, grief, and knowing when to refer someone for professional help.",
        ("care", "pastor"),
        colour="#475569",
        subcategory="Pastoral care",
        emblem="heart",
        weight_lb=1.3,
        dimensions_in=(9.0, 6.0, 1.0),
    ),
)
