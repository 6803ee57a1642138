"""A realistic synthetic CRM data set in the import format (`graphcrm generate`).

Deterministic for a seed (one `random.Random`, no clock): the same seed and size give the same
bytes. The shape follows what a bank or telecom CRM holds:

- households and friendships among customers (`KNOWS`, family/friend/colleague with a strength),
  business contacts at companies (`WORKS_AT`) who know their colleagues;
- heavy-tailed referral cascades: referrers are chosen by preferential attachment weighted by a
  Pareto "enthusiasm", so a few customers refer many; partners and employees source referrals too,
  and a handful of small referral rings (customers referring each other in a circle within days)
  stand in for the referral-reward fraud an analyst should be able to find;
- key account managers with uneven loads (Zipf), some accounts with no manager and some with two,
  partner managers, an org chart;
- partners (a telecom partnering with a bank, resellers, agencies) with partnerships to companies
  and to each other;
- touch points over two years before `as_of` across channels, with sentiment that falls for
  relationships in `dissolution`;
- lifecycle stages in plausible proportions and marketing consent for about 60 % of customers.

Proportions per customer stay fixed, so one million customers gives about 20,000 companies, 4,000
employees, 100 partners, ~2.9 million relationships and ~1.3 million interactions.
"""

from __future__ import annotations

import bisect
import csv
import itertools
import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from graphcrm import model
from graphcrm.errors import InputError

DEFAULT_AS_OF = datetime(2026, 11, 1, tzinfo=UTC)

FIRST_NAMES = (
    "Ada Alan Amara Ana Anders Aisha Ben Bianca Carlos Chen Chidi Chloe Dana David Diego Elena Emma Emeka "
    "Erik Fatima Felix Grace Hana Hugo Ines Ivan Jamal Jana Jonas Julia Kai Kemal Lara Leila Liam Lucia "
    "Maya Mei Mohammed Nadia Nikolai Noor Olga Omar Paula Priya Rafael Rosa Sami Sara Sofia Tariq Tomas "
    "Uma Vera Victor Wei Yara Yusuf Zoe"
).split()
LAST_NAMES = (
    "Abara Almeida Andersen Bauer Becker Costa Dimitrov Dubois Eriksen Fischer Garcia Haddad Hansen Ibrahim "
    "Ito Jansen Kaya Kowalski Kumar Larsen Lopez Maier Martin Meyer Moreau Nakamura Novak Nowak Okafor "
    "Olsen Park Petrov Popescu Quinn Rossi Santos Schmidt Silva Singh Smith Sousa Tanaka Torres Varga "
    "Wagner Weber Wong Yilmaz Zhang"
).split()
CITIES = (
    "London",
    "Manchester",
    "Leeds",
    "Bristol",
    "Glasgow",
    "Birmingham",
    "Cardiff",
    "Edinburgh",
    "Belfast",
    "York",
)
CITY_WEIGHTS = (30, 12, 9, 8, 8, 11, 5, 7, 4, 6)
PROFESSIONS = (
    "engineer",
    "teacher",
    "nurse",
    "accountant",
    "designer",
    "retail worker",
    "driver",
    "lawyer",
    "student",
    "chef",
    "doctor",
    "manager",
    "farmer",
    "developer",
    "retired",
)
EDUCATION = ("secondary", "vocational", "bachelor", "master", "doctorate")
EDUCATION_WEIGHTS = (30, 20, 32, 15, 3)
INCOME_BANDS = ("<20k", "20-40k", "40-70k", "70-120k", ">120k")
INCOME_WEIGHTS = (18, 32, 28, 16, 6)
INTERESTS = (
    "travel",
    "sport",
    "music",
    "tech",
    "cooking",
    "investing",
    "gaming",
    "reading",
    "outdoors",
    "fashion",
)
CHANNEL_WEIGHTS = {
    "call": 22,
    "email": 30,
    "meeting": 12,
    "visit": 6,
    "survey": 5,
    "web": 20,
    "direct_mail": 5,
}
STAGE_WEIGHTS = (14, 22, 24, 32, 8)
INDUSTRIES = (
    "food",
    "agriculture",
    "retail",
    "logistics",
    "manufacturing",
    "software",
    "construction",
    "health",
)
COMPANY_WORDS = (
    "Sweet Northern Golden Bright Iron Blue Green Harbour Summit Crown Oak River Silver Union Royal Prime "
    "Apex Atlas Pioneer Meadow"
).split()
COMPANY_SUFFIXES = ("Ltd", "plc", "Group", "& Co", "Holdings", "Works", "Partners")
INDUSTRY_WORDS = {
    "food": "Foods",
    "agriculture": "Mills",
    "retail": "Stores",
    "logistics": "Freight",
    "manufacturing": "Industries",
    "software": "Systems",
    "construction": "Builders",
    "health": "Care",
}
SIZES = ("small", "medium", "large", "enterprise")
SIZE_WEIGHTS = (40, 32, 20, 8)
PARTNER_KINDS = (
    ("telecom", "Mobile"),
    ("bank", "Bank"),
    ("insurer", "Insurance"),
    ("retailer", "Retail"),
    ("reseller", "Resellers"),
    ("agency", "Marketing"),
)
ROLES = ("key_account_manager", "sales_rep", "support", "partner_manager")
REGIONS = ("North", "South", "Scotland", "Wales", "Northern Ireland")
REFERRAL_CHANNELS = ("word_of_mouth", "app", "event", "social", "partner_offer")
NOTES = ("follow-up", "renewal talk", "price question", "complaint", "upsell", "onboarding", "")


class _Ids:
    """Zero-padded ids with a prefix per label; prefixes never collide (ids are unique across labels)."""

    def __init__(self, prefix: str, count: int, width: int) -> None:
        self.prefix = prefix
        self.width = max(width, len(str(count)))

    def __call__(self, index: int) -> str:
        return f"{self.prefix}{index + 1:0{self.width}d}"


def _weighted(rng: random.Random, items: Sequence[str], weights: Sequence[float]) -> str:
    return rng.choices(items, weights)[0]


class _PreferentialPicker:
    """Draw indices with probability proportional to a weight that grows as they are drawn.

    Kept as a flat list of tickets: drawing a uniform ticket is O(1), and adding tickets for a
    winner makes the rich get richer (Barabási–Albert style), which is what yields heavy tails.
    """

    def __init__(self) -> None:
        self.tickets: list[int] = []

    def add(self, index: int, tickets: int) -> None:
        self.tickets.extend([index] * tickets)

    def draw(self, rng: random.Random) -> int | None:
        return self.tickets[int(rng.random() * len(self.tickets))] if self.tickets else None


def _zipf_cumulative(n: int, exponent: float) -> list[float]:
    weights = [1 / (rank + 1) ** exponent for rank in range(n)]
    return list(itertools.accumulate(weights))


def _draw_cumulative(rng: random.Random, cumulative: list[float]) -> int:
    return bisect.bisect_left(cumulative, rng.random() * cumulative[-1])


class _Writer:
    """A CSV file of the import format; counts rows."""

    def __init__(self, path: Path, header: Sequence[str]) -> None:
        self.handle = path.open("w", encoding="utf-8", newline="")
        self.writer = csv.writer(self.handle, lineterminator="\n")
        self.writer.writerow(header)
        self.rows = 0

    def write(self, row: Sequence[object]) -> None:
        self.writer.writerow(row)
        self.rows += 1

    def close(self) -> None:
        self.handle.close()


def _money(value: float) -> str:
    return f"{value:.2f}"


def _day(d: date) -> str:
    return d.isoformat()


def generate(
    out_dir: str | Path,
    *,
    customers: int,
    seed: int = 7,
    as_of: datetime = DEFAULT_AS_OF,
) -> dict[str, int]:
    """Write customers.csv, companies.csv, employees.csv, partners.csv, relationships.csv and
    interactions.csv for `customers` customers into `out_dir`; return rows written per file (and
    per relationship type).

    Parameters
    ----------
    customers
        Number of customers (at least 1); every other count is proportional to it.
    seed
        Random seed: the same seed and size give byte-identical files.
    as_of
        The "today" of the data set: customers joined and touch points happened in the years
        before it. Fixed by default so that the files do not depend on the clock.
    """
    if customers < 1:
        raise InputError("The number of customers must be at least 1.")
    rng = random.Random(seed)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    today = as_of.date()

    n_companies = max(30, customers // 50)
    n_employees = max(15, customers // 250)
    n_partners = max(10, customers // 10_000)
    customer_id = _Ids("C", customers, 6)
    company_id = _Ids("CO", n_companies, 5)
    employee_id = _Ids("E", n_employees, 4)
    partner_id = _Ids("P", n_partners, 3)

    counts: dict[str, int] = {}
    rel_counts: dict[str, int] = dict.fromkeys(model.CSV_REL_TYPES, 0)
    rels = _Writer(
        out / model.RELATIONSHIPS_FILE,
        ("source", "target", "type", "since", "converted", "channel", "relation", "strength", "value"),
    )

    def relate(
        source: str,
        target: str,
        rel_type: str,
        since: date | None = None,
        converted: bool | None = None,
        channel: str = "",
        relation: str = "",
        strength: float | None = None,
        value: float | None = None,
    ) -> None:
        rels.write(
            (
                source,
                target,
                rel_type,
                _day(since) if since else "",
                "" if converted is None else ("true" if converted else "false"),
                channel,
                relation,
                "" if strength is None else f"{strength:.2f}",
                "" if value is None else _money(value),
            )
        )
        rel_counts[rel_type] += 1

    # Employees: a small org chart; key account managers carry most accounts.
    employees = _Writer(
        out / model.NODE_TYPES[model.EMPLOYEE].file, ("id", "name", "email", "role", "region")
    )
    roles: list[str] = []
    for index in range(n_employees):
        role = ROLES[0] if index < max(4, n_employees * 2 // 5) else _weighted(rng, ROLES[1:], (5, 3, 2))
        if index == n_employees - 1:
            role = "partner_manager"
        roles.append(role)
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        employees.write(
            (
                employee_id(index),
                f"{first} {last}",
                f"{first}.{last}{index}@graphcrm.example".lower(),
                role,
                rng.choice(REGIONS),
            )
        )
    employees.close()
    counts["employees.csv"] = employees.rows
    heads = max(1, n_employees // 8)
    for index in range(1, n_employees):
        boss = 0 if index < heads else rng.randrange(heads)
        relate(
            employee_id(index),
            employee_id(boss),
            model.REPORTS_TO,
            today - timedelta(days=rng.randrange(60, 2500)),
        )
    kams = [i for i, r in enumerate(roles) if r == "key_account_manager"]
    reps = [i for i, r in enumerate(roles) if r in ("sales_rep", "key_account_manager")]
    partner_managers = [i for i, r in enumerate(roles) if r == "partner_manager"]
    kam_load = _zipf_cumulative(len(kams), 0.8)
    company_load = _zipf_cumulative(n_companies, 1.0)
    partner_load = _zipf_cumulative(n_partners, 1.2)

    # Companies: industry, size, a lifecycle stage; the biggest are worth the most.
    companies = _Writer(
        out / model.NODE_TYPES[model.COMPANY].file,
        ("id", "name", "industry", "size", "city", "stage", "annual_value"),
    )
    company_stage: list[str] = []
    company_names: set[str] = set()
    for index in range(n_companies):
        industry = rng.choice(INDUSTRIES)
        name = f"{rng.choice(COMPANY_WORDS)} {INDUSTRY_WORDS[industry]} {rng.choice(COMPANY_SUFFIXES)}"
        if name in company_names:
            name = f"{name} {index + 1}"
        company_names.add(name)
        size = _weighted(rng, SIZES, SIZE_WEIGHTS)
        stage = _weighted(rng, model.STAGES, STAGE_WEIGHTS)
        company_stage.append(stage)
        scale = {"small": 20_000, "medium": 90_000, "large": 400_000, "enterprise": 1_500_000}[size]
        companies.write(
            (
                company_id(index),
                name,
                industry,
                size,
                _weighted(rng, CITIES, CITY_WEIGHTS),
                stage,
                _money(scale * rng.lognormvariate(0, 0.5)),
            )
        )
    companies.close()
    counts["companies.csv"] = companies.rows

    # Account management: ~10 % of accounts unmanaged, ~8 % with two managers, loads Zipf-uneven.
    managers_of: list[list[int]] = []
    for index in range(n_companies):
        draw = rng.random()
        chosen: list[int] = []
        if draw >= 0.10:
            chosen.append(kams[_draw_cumulative(rng, kam_load)])
            if draw >= 0.92 and len(kams) > 1:
                second = kams[_draw_cumulative(rng, kam_load)]
                chosen += [second] if second != chosen[0] else [kams[(kams.index(second) + 1) % len(kams)]]
        managers_of.append(chosen)
        for manager in chosen:
            relate(
                employee_id(manager),
                company_id(index),
                model.MANAGES,
                today - timedelta(days=rng.randrange(30, 1500)),
            )
    # B2B trade between accounts.
    for index in range(n_companies):
        buyers = {rng.randrange(n_companies) for _ in range(rng.choice((0, 1, 1, 2)))} - {index}
        for other in sorted(buyers):
            relate(
                company_id(index),
                company_id(other),
                model.SUPPLIES,
                today - timedelta(days=rng.randrange(90, 3000)),
                value=rng.lognormvariate(11, 1),
            )

    # Partners: a telecom and a bank first (they partner with each other), then the rest.
    partners = _Writer(out / model.NODE_TYPES[model.PARTNER].file, ("id", "name", "kind", "since"))
    partner_kind: list[str] = []
    for index in range(n_partners):
        kind, word = PARTNER_KINDS[index % len(PARTNER_KINDS)]
        partner_kind.append(kind)
        since = today - timedelta(days=rng.randrange(200, 3500))
        partners.write((partner_id(index), f"{rng.choice(COMPANY_WORDS)} {word}", kind, _day(since)))
        manager = partner_managers[index % len(partner_managers)]
        relate(employee_id(manager), partner_id(index), model.MANAGES, since)
        for company in rng.sample(range(n_companies), min(n_companies, rng.randint(1, 4))):
            relate(
                partner_id(index),
                company_id(company),
                model.PARTNERS_WITH,
                since,
                channel=rng.choice(("co-selling", "co-marketing", "reseller")),
            )
    partners.close()
    counts["partners.csv"] = partners.rows
    seen_partner_pairs: set[tuple[int, int]] = set()
    for index in range(n_partners):
        other = (index + 1) if index % 2 == 0 else rng.randrange(n_partners)
        if other < n_partners and other != index and (index, other) not in seen_partner_pairs:
            seen_partner_pairs.add((index, other))
            relate(
                partner_id(index),
                partner_id(other),
                model.PARTNERS_WITH,
                today - timedelta(days=rng.randrange(100, 2000)),
                channel="co-marketing",
            )

    # Customers, in joining order (oldest first), with households, friends, colleagues and referrals.
    cust = _Writer(
        out / model.NODE_TYPES[model.CUSTOMER].file,
        (
            "id",
            "name",
            "email",
            "phone",
            "city",
            "profession",
            "education",
            "income_band",
            "interests",
            "preferred_channel",
            "marketing_consent",
            "stage",
            "joined_on",
            "lifetime_value",
        ),
    )
    first_day = today - timedelta(days=6 * 365)
    span_days = (today - first_day).days
    channels = tuple(CHANNEL_WEIGHTS)
    channel_weights = tuple(CHANNEL_WEIGHTS.values())
    referrers = _PreferentialPicker()
    by_city: dict[str, list[int]] = {city: [] for city in CITIES}
    staff_at: dict[int, list[int]] = {}
    customer_stage: list[str] = []
    joined: list[date] = []
    household_last = ""
    household_left = 0
    household_head = 0
    cust_city = CITIES[0]
    referred_by: list[int] = []
    managed_customers: list[tuple[int, int]] = []
    for index in range(customers):
        cid = customer_id(index)
        join = first_day + timedelta(days=int(span_days * (index + rng.random()) / customers))
        joined.append(join)
        known_by: set[int] = set()
        if household_left > 0:
            last, city = household_last, cust_city
            household_left -= 1
            known_by.add(household_head)
            relate(
                customer_id(household_head),
                cid,
                model.KNOWS,
                join,
                relation="family",
                strength=0.7 + 0.3 * rng.random(),
            )
        else:
            last = rng.choice(LAST_NAMES)
            city = _weighted(rng, CITIES, CITY_WEIGHTS)
            if rng.random() < 0.25:
                household_last, household_left, household_head = last, rng.choice((1, 1, 2, 3)), index
        cust_city = city
        first = rng.choice(FIRST_NAMES)
        stage = _weighted(rng, model.STAGES, STAGE_WEIGHTS)
        customer_stage.append(stage)
        consent = rng.random() < 0.6
        value = rng.lognormvariate(7.3, 1.1) * (0.3 if stage in ("exploration", "awareness") else 1.0)
        cust.write(
            (
                cid,
                f"{first} {last}",
                f"{first}.{last}{index}@mail.example".lower() if rng.random() < 0.9 else "",
                f"+44 7{rng.randrange(10**8, 10**9)}" if rng.random() < 0.7 else "",
                city,
                rng.choice(PROFESSIONS),
                _weighted(rng, EDUCATION, EDUCATION_WEIGHTS),
                _weighted(rng, INCOME_BANDS, INCOME_WEIGHTS),
                ";".join(rng.sample(INTERESTS, rng.randint(1, 3))),
                _weighted(rng, channels, channel_weights),
                "true" if consent else "false",
                stage,
                _day(join),
                _money(value),
            )
        )

        # Friends in the same city, drawn uniformly among earlier customers there.
        peers = by_city[city]
        for _ in range(rng.choice((0, 1, 1, 2))):
            if peers:
                friend = peers[int(rng.random() * len(peers))]
                if friend not in known_by:
                    known_by.add(friend)
                    relate(
                        customer_id(friend),
                        cid,
                        model.KNOWS,
                        join,
                        relation="friend",
                        strength=0.2 + 0.6 * rng.random(),
                    )
        peers.append(index)

        # Business contacts: ~30 % of customers work at an account and know a colleague there.
        if rng.random() < 0.3:
            company = _draw_cumulative(rng, company_load)
            relate(cid, company_id(company), model.WORKS_AT, join - timedelta(days=rng.randrange(0, 1500)))
            colleagues = staff_at.setdefault(company, [])
            colleague = rng.choice(colleagues) if colleagues and rng.random() < 0.7 else None
            if colleague is not None and colleague not in known_by:
                relate(
                    customer_id(colleague),
                    cid,
                    model.KNOWS,
                    join,
                    relation="colleague",
                    strength=0.3 + 0.5 * rng.random(),
                )
            colleagues.append(index)
            if rng.random() < 0.08:
                relate(
                    cid,
                    company_id(rng.randrange(n_companies)),
                    model.REFERRED,
                    join,
                    converted=rng.random() < 0.4,
                    channel="word_of_mouth",
                )

        # Referral: ~40 % of customers were referred, by a customer (preferential), partner or employee.
        referred_by.append(-1)
        if index > 0 and rng.random() < 0.4:
            source_kind = rng.random()
            converted = rng.random() < (0.35 if stage == "exploration" else 0.75)
            if source_kind < 0.12:
                relate(
                    partner_id(_draw_cumulative(rng, partner_load)),
                    cid,
                    model.REFERRED,
                    join,
                    converted=converted,
                    channel="partner_offer",
                )
            elif source_kind < 0.16:
                relate(
                    employee_id(rng.choice(reps)),
                    cid,
                    model.REFERRED,
                    join,
                    converted=converted,
                    channel="event",
                )
            else:
                referrer = referrers.draw(rng)
                if referrer is not None and referrer != index:
                    relate(
                        customer_id(referrer),
                        cid,
                        model.REFERRED,
                        join,
                        converted=converted,
                        channel=rng.choice(REFERRAL_CHANNELS[:4]),
                    )
                    referred_by[index] = referrer
                    referrers.add(referrer, 2)
        # Heavy tail: enthusiasm (Pareto) decides how many tickets a new customer starts with.
        enthusiasm = min(60, int(rng.paretovariate(1.1)))
        if enthusiasm > 1 or rng.random() < 0.3:
            referrers.add(index, enthusiasm)

        if stage in ("commitment", "expansion") and value > 6000 and reps and rng.random() < 0.5:
            rep = rng.choice(reps)
            relate(employee_id(rep), cid, model.MANAGES, join + timedelta(days=rng.randrange(0, 200)))
            managed_customers.append((index, rep))
    cust.close()
    counts["customers.csv"] = cust.rows

    # Referral rings: a few circles of 3-5 recent customers referring each other within days.
    ring_count = max(2, customers // 20_000)
    for _ in range(ring_count):
        size = rng.randint(3, 5)
        if customers < size * 3:
            break
        members = rng.sample(range(customers // 2, customers), size)
        start = today - timedelta(days=rng.randrange(30, 300))
        for position, member in enumerate(members):
            nxt = members[(position + 1) % size]
            if referred_by[nxt] == member:
                continue
            relate(
                customer_id(member),
                customer_id(nxt),
                model.REFERRED,
                start + timedelta(days=position),
                converted=True,
                channel="app",
                value=50.0,
            )

    rels.close()
    counts["relationships.csv"] = rels.rows

    # Touch points over the two years before as_of.
    inter = _Writer(
        out / model.INTERACTIONS_FILE, ("id", "employee", "party", "at", "channel", "sentiment", "note")
    )
    counter = itertools.count(1)
    width = max(7, len(str(customers * 2)))
    two_years = 730 * 86_400

    def touch(employee: int, party: str, stage: str, fading: bool, count: int) -> None:
        for _ in range(count):
            age = rng.random() ** (2.5 if fading else 0.8) * two_years
            if fading:
                age = two_years - (two_years - age) * 0.7
            at = as_of - timedelta(seconds=int(age))
            mood = {"dissolution": -0.35, "exploration": 0.05}.get(stage, 0.3)
            if fading:
                mood -= 0.5 * (1 - age / two_years)
            sentiment = max(-1.0, min(1.0, rng.gauss(mood, 0.35)))
            inter.write(
                (
                    f"I{next(counter):0{width}d}",
                    employee_id(employee),
                    party,
                    at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    _weighted(rng, channels, channel_weights),
                    f"{sentiment:.2f}",
                    rng.choice(NOTES),
                )
            )

    for index, chosen in enumerate(managers_of):
        stage = company_stage[index]
        fading = stage == "dissolution" or rng.random() < 0.08
        for manager in chosen:
            touch(manager, company_id(index), stage, fading, rng.randint(1, 12) if rng.random() > 0.1 else 0)
        if not chosen and rng.random() < 0.4:
            touch(rng.choice(reps), company_id(index), stage, fading, rng.randint(1, 3))
    for index, rep in managed_customers:
        touch(
            rep,
            customer_id(index),
            customer_stage[index],
            customer_stage[index] == "dissolution",
            rng.randint(1, 6),
        )
    for index in range(n_partners):
        touch(
            partner_managers[index % len(partner_managers)],
            partner_id(index),
            "commitment",
            False,
            rng.randint(2, 8),
        )
    for index in range(customers):
        if rng.random() < 0.45:
            stage = customer_stage[index]
            touch(rng.choice(reps), customer_id(index), stage, stage == "dissolution", rng.randint(1, 4))
    inter.close()
    counts["interactions.csv"] = inter.rows
    counts.update(rel_counts)
    return counts
