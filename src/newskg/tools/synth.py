"""``newskg synth``: deterministic synthetic articles, facts and entities for scale tests.

The output is a seeds folder (``entities.yaml`` plus one ``<article-id>/`` folder holding
``article.txt`` and ``facts.yaml`` per article) in exactly the shape curators write, so it goes
through the real loader, mappings and SHACL shapes: ``newskg build --seeds DIR``.

Why generated text rather than templated facts alone: the loader locates every evidence quote
in ``article.txt``, splits sentences and anchors evidence to them, and that work is part of
what a build costs. Each article is assembled sentence by sentence, so the generator knows
where every quote sits and can add ``occurrence: N`` when a quote happens to repeat.

Determinism: article ``i`` draws from its own ``random.Random(f"{seed}:{i}")`` (string seeds
are hashed with SHA-512, independent of ``PYTHONHASHSEED``), and the entity pools depend only
on the article count, so the same ``--articles``/``--seed`` gives the same bytes everywhere.
Every article says ``synthetic: true``; no Wikidata ids are generated (never invented).

Why this module is long: one article is written as one story, sentence by sentence, every
section of its facts file beside the sentence that supports it; cut into pieces, the
evidence would no longer sit next to the text it quotes.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from newskg.errors import InputError, location_of

COUNTRIES = [
    "Kenya", "Chile", "Vietnam", "Norway", "Morocco", "Peru", "Malaysia", "Ghana",
    "Portugal", "Indonesia", "Uruguay", "Estonia", "Jordan", "Senegal", "Philippines",
    "Colombia",
]  # fmt: skip
FIRST = [
    "Amara", "Lucas", "Mei", "Tomas", "Aisha", "Kofi", "Ingrid", "Rafael", "Nadia", "Hiro",
    "Leila", "Mateo", "Sofia", "Arjun", "Zanele", "Pavel", "Elena", "Omar", "Yuki", "Ana",
]  # fmt: skip
LAST = [
    "Okafor", "Silva", "Tran", "Berg", "Haddad", "Mensah", "Larsen", "Quispe", "Rahman",
    "Sato", "Costa", "Nguyen", "Tamm", "Diallo", "Reyes", "Morales", "Kask", "Ortiz",
    "Abdullah", "Santos", "Kowalski", "Osei", "Lindqvist", "Ferreira",
]  # fmt: skip
ORG_HEADS = [
    "Norva", "Quantel", "Brightwave", "Solara", "Meridian", "Kestrel", "Vantage", "Orbis",
    "Luma", "Tessera", "Halcyon", "Nimbus", "Cobalt", "Verity", "Aster", "Zephyr",
]  # fmt: skip
ORG_TAILS = ["Technologies", "Networks", "Systems", "Digital", "Cloud", "Telecom", "Labs"]
GOV_ROLES = [
    ("prime-minister", "Prime Minister"),
    ("minister-of-digital-economy", "Minister of Digital Economy"),
    ("minister-of-education", "Minister of Education"),
    ("minister-of-industry", "Minister of Industry"),
    ("minister-of-health", "Minister of Health"),
    ("minister-of-transport", "Minister of Transport"),
]
ORG_ROLES = [
    ("ceo", "CEO"),
    ("cto", "Chief Technology Officer"),
    ("president", "President"),
    ("chair", "Chair"),
    ("vice-president", "Vice President"),
]
SCHEMES = {
    "cooperation-areas": ("Cooperation areas", "Fields in which parties cooperate."),
    "technologies": ("Technologies", "Technologies that a cooperation adopts."),
    "sectors": ("Sectors", "Economic or public sectors that a cooperation serves."),
    "scenarios": ("Application scenarios", "Settings in which technologies are applied."),
    "statement-kinds": ("Statement kinds", "What a speaker expressed, in reported speech."),
    "topics": ("Topics", "Subjects that meetings, statements and initiatives are about."),
}
CONCEPTS: dict[str, list[str]] = {
    "cooperation-areas": [
        "Digital economy", "Data center", "Smart logistics", "Digital power",
        "Cloud and computing", "Cybersecurity", "Smart agriculture", "Digital talent cultivation",
    ],
    "technologies": [
        "5G", "Cloud computing", "Artificial intelligence", "Internet of things",
        "Blockchain", "Edge computing", "Satellite broadband",
    ],
    "sectors": [
        "Healthcare", "Education", "Transportation", "E-government", "Smart city",
        "Agriculture", "Energy", "Finance",
    ],
    "scenarios": ["Port", "Airport", "Hospital", "Campus", "Factory", "Rail"],
    "topics": [
        "Digital transformation", "ICT talent", "Digital inclusion", "Economic resilience",
        "Sustainability", "Digital infrastructure", "Public-private cooperation",
        "Post-pandemic recovery", "Digital skills", "Employability",
    ],
}  # fmt: skip
# statement kind id -> (label, sentence template); {who} speaks, {whom} is addressed.
STATEMENT_KINDS: dict[str, tuple[str, str]] = {
    "appreciation": (
        "Appreciation", "{who} expressed appreciation for {whom}'s support of {c}'s {topic}"
    ),
    "gratitude": ("Gratitude", "{who} thanked {whom} for its trust in {c}'s plans for {topic}"),
    "emphasis": ("Emphasis", "{who} stressed the role of {topic} in {c}'s long-term development"),
    "commitment": ("Commitment", "{who} committed to deepen work with {whom} on {topic} in {c}"),
    "expectation": ("Expectation", "{who} said {whom} looks forward to progress on {topic} in {c}"),
    "congratulations": (
        "Congratulations", "{who} congratulated {whom} on its achievements in {topic}"
    ),
}  # fmt: skip
GROUPS = [
    ("smes", "Small and medium-sized enterprises", "Organization"),
    ("young-people", "Young people", "Person"),
    ("vulnerable-groups", "Vulnerable groups", "Person"),
    ("rural-communities", "Rural communities", "Person"),
]
MONTHS = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
]  # fmt: skip
UNITS = [
    ("ICT professionals trained", "ICT professional"),
    ("students who received scholarships", "student"),
    ("small businesses connected", "small business"),
    ("villages connected to broadband", "village"),
    ("engineers certified", "engineer"),
]


def slug(text: str) -> str:
    out = "".join(ch.lower() if ch.isalnum() else "-" for ch in text)
    return "-".join(part for part in out.split("-") if part)


# Concept ids and labels, computed once: make_article runs once per article, and slugging every
# concept again each time was over half of its cost.
_CONCEPT_IDS: dict[str, list[str]] = {s: [slug(x) for x in xs] for s, xs in CONCEPTS.items()}
_CONCEPT_LABELS: dict[str, str] = {slug(x): x for xs in CONCEPTS.values() for x in xs}
_TOPIC_LABELS: dict[str, str] = {t: _CONCEPT_LABELS[t].lower() for t in _CONCEPT_IDS["topics"]}
_TOPIC_LABELS["ict-talent"] = "ICT talent"
_TOPIC_IDS = sorted(_TOPIC_LABELS)  # the order the per-article draws pick from


def q(text: str) -> str:
    """A YAML double-quoted scalar: JSON string syntax is valid YAML and escapes everything."""
    return json.dumps(text, ensure_ascii=False)


@dataclass
class Post:
    id: str
    label: str
    title: str  # how the article names the post before a person's name
    institution: str  # entity id


@dataclass
class Person:
    id: str
    name: str
    post: Post


@dataclass
class Pools:
    """The entity registry, sized by the article count."""

    countries: list[str]
    governments: dict[str, str]  # country id -> government body id
    orgs: list[tuple[str, str, str]]  # (id, label, country id)
    programmes: dict[str, tuple[str, str]]  # org id -> (programme id, label)
    strategies: dict[str, tuple[str, str]]  # country id -> (strategy id, label)
    gov_people: dict[str, list[Person]]  # country id -> people holding a government post
    org_people: dict[str, list[Person]]  # org id -> people holding a post in it
    label_of: dict[str, str] = field(default_factory=dict)

    # Derived once the pools are filled, not per article: with 2000 organisations, filtering
    # them for every article was a sixth of make_article.
    @cached_property
    def host_countries(self) -> list[str]:
        """Countries with a government person to host a meeting, in pool order."""
        return [c for c in self.countries if c in self.gov_people]

    @cached_property
    def guest_orgs(self) -> list[str]:
        """Organisations with a person to attend a meeting, in pool order."""
        return [o for o, _, _ in self.orgs if o in self.org_people]


def make_pools(articles: int, seed: int) -> Pools:
    rng = random.Random(f"{seed}:entities")
    countries = [slug(c) for c in COUNTRIES]
    n_orgs = min(2000, 8 + articles // 40)
    labels: set[str] = set()
    orgs: list[tuple[str, str, str]] = []
    while len(orgs) < n_orgs:
        label = f"{rng.choice(ORG_HEADS)}{rng.choice(ORG_HEADS).lower()} {rng.choice(ORG_TAILS)}"
        if label in labels:
            label = f"{label} {len(orgs)}"
        labels.add(label)
        orgs.append((slug(label), label, rng.choice(countries)))
    pools = Pools(countries, {}, orgs, {}, {}, {}, {})
    for name, cid in zip(COUNTRIES, countries, strict=True):
        pools.label_of[cid] = name
        pools.governments[cid] = f"government-of-{cid}"
        pools.label_of[f"government-of-{cid}"] = f"Government of {name}"
        pools.strategies[cid] = (f"{cid}-digital-2030", f"{name} Digital 2030")
    for oid, label, _ in orgs:
        pools.label_of[oid] = label
        pools.programmes[oid] = (f"{oid}-digital-academy", f"{label} Digital Academy")
    # One person per post; roughly one government or company person per 10 articles.
    n_people = min(6000, 24 + articles // 10)
    governments = [(cid, pools.label_of[cid], pools.governments[cid]) for cid in countries]
    companies = [(oid, label, oid) for oid, label, _ in orgs]
    names: set[str] = set()
    for k in range(n_people):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        if name in names:
            name = f"{rng.choice(FIRST)} {name}"  # a middle name keeps labels distinct
        names.add(name)
        pid = f"{slug(name)}-{k}"
        if k % 2 == 0:
            cid, post = _nth_post(k // 2, governments, GOV_ROLES, "{owner}'s {role}")
            pools.gov_people.setdefault(cid, []).append(Person(pid, name, post))
        else:
            oid, post = _nth_post(k // 2, companies, ORG_ROLES, "{owner} {role}")
            pools.org_people.setdefault(oid, []).append(Person(pid, name, post))
    return pools


def _nth_post(
    n: int, owners: list[tuple[str, str, str]], roles: list[tuple[str, str]], title: str
) -> tuple[str, Post]:
    """Post ``n`` of one kind, and the id of its owner.

    Each owner (id, label, institution id) in turn gets the next role; once every owner has
    every role, the round repeats with a rank in the post's id and label. ``title`` is how an
    article names the post before a person's name, from ``{owner}`` and ``{role}``.
    """
    owner_id, owner, institution = owners[n % len(owners)]
    role_slug, role = roles[(n // len(owners)) % len(roles)]
    rank = n // (len(owners) * len(roles))
    post = Post(
        f"{role_slug}-of-{owner_id}" + (f"-{rank}" if rank else ""),
        f"{role} of {owner}" + (f" ({rank + 1})" if rank else ""),
        title.format(owner=owner, role=role),
        institution,
    )
    return owner_id, post


def entities_yaml(pools: Pools) -> str:
    out = [
        "# Synthetic entity registry written by 'newskg synth' (deterministic; not real).",
        "schemes:",
    ]
    for sid, (label, definition) in SCHEMES.items():
        out += [f"  {sid}:", f"    label: {q(label)}", f"    definition: {q(definition)}"]
    out.append("entities:")

    def entity(eid: str, etype: str, label: str, **extra: str) -> None:
        out.extend([f"  - id: {eid}", f"    type: {etype}", f"    label: {q(label)}"])
        out.extend(f"    {k}: {q(v) if k in {'description'} else v}" for k, v in extra.items())

    for cid in pools.countries:
        entity(cid, "Country", pools.label_of[cid])
    for cid, gid in pools.governments.items():
        entity(gid, "GovernmentBody", pools.label_of[gid], location=cid)
    for oid, label, cid in pools.orgs:
        entity(oid, "Organization", label, location=cid)
    for oid, (pid, label) in pools.programmes.items():
        entity(pid, "Programme", label, provider=oid, description=f"Training academy of {oid}.")
    for cid, (sid, label) in pools.strategies.items():
        entity(sid, "Strategy", label, owner=cid)
    for gid, label, member in GROUPS:
        entity(gid, "Group", label, member_type=member)
    for cid in pools.countries:
        entity(f"universities-of-{cid}", "Group", f"Universities of {pools.label_of[cid]}")
    people = [p for ps in pools.gov_people.values() for p in ps]
    people += [p for ps in pools.org_people.values() for p in ps]
    for person in sorted(people, key=lambda p: p.id):
        entity(person.post.id, "Post", person.post.label, post_in=person.post.institution)
        entity(person.id, "Person", person.name)
    for scheme, labels in CONCEPTS.items():
        for label in labels:
            entity(slug(label), "Concept", label, scheme=scheme)
    for kid, (label, _) in STATEMENT_KINDS.items():
        entity(kid, "Concept", label, scheme="statement-kinds")
    return "\n".join(out) + "\n"


class _Article:
    """Text assembled sentence by sentence, remembering where each evidence quote starts."""

    def __init__(self) -> None:
        self.paragraphs: list[list[str]] = []

    def para(self, *sentences: str) -> list[tuple[int, int]]:
        """Add a paragraph; return (paragraph, sentence) handles for evidence."""
        index = len(self.paragraphs)
        self.paragraphs.append(list(sentences))
        return [(index, n) for n in range(len(sentences))]

    def text(self) -> str:
        return "\n\n".join(" ".join(p) for p in self.paragraphs) + "\n"

    def start_of(self, handle: tuple[int, int]) -> int:
        p, s = handle
        before = sum(len(" ".join(x)) + 2 for x in self.paragraphs[:p])
        return before + sum(len(x) + 1 for x in self.paragraphs[p][:s])


def _evidence(article: _Article, text: str, handle: tuple[int, int], quote: str) -> str:
    """The YAML for one evidence quote (with ``occurrence`` when it is not unique)."""
    p, s = handle
    start = article.start_of(handle) + article.paragraphs[p][s].index(quote)
    assert text[start : start + len(quote)] == quote
    count, before, index = 0, 0, text.find(quote)
    while index != -1:
        count += 1
        if index <= start:
            before += 1
        index = text.find(quote, index + 1)
    if count == 1:
        return q(quote)
    return f"{{quote: {q(quote)}, occurrence: {before}}}"


def make_article(i: int, pools: Pools, seed: int) -> tuple[str, str]:
    """(article.txt, facts.yaml) of synthetic article ``i``."""
    rng = random.Random(f"{seed}:{i}")
    cid = rng.choice(pools.host_countries)
    country = pools.label_of[cid]
    oid = rng.choice(pools.guest_orgs)
    org = pools.label_of[oid]
    host = rng.choice(pools.gov_people[cid])
    guest = rng.choice(pools.org_people[oid])
    year = rng.randint(2015, 2024)
    month = rng.randint(1, 12)
    day = rng.randint(1, 28)
    date = f"{year}-{month:02d}-{day:02d}"
    mode = rng.choice(["virtual", "in-person", "hybrid"])
    topics = rng.sample(_CONCEPT_IDS["topics"], 2)
    topic_labels = _TOPIC_LABELS
    host_short = host.name.split()[-1]
    guest_short = guest.name.split()[-1]
    a = _Article()
    sections: dict[str, list[str]] = {}

    def add(section: str, record: list[str]) -> None:
        sections.setdefault(section, []).append("\n".join(record))

    # Evidence is written once the text is complete, when occurrences can be counted.
    pending: list[list[tuple[tuple[int, int], str]]] = []

    def evidence_lines(handles: list[tuple[tuple[int, int], str]]) -> list[str]:
        pending.append(handles)
        return [f"    evidence: @@{len(pending) - 1}@@"]

    # -- the meeting ------------------------------------------------------------------------
    verb = {"virtual": "a virtual meeting", "in-person": "talks", "hybrid": "a hybrid forum"}[mode]
    place = f" in {country}" if mode != "virtual" else ""
    s_meet = (
        f"{host.post.title} {host.name} held {verb} with {guest.post.title} {guest.name}"
        f"{place} on {day} {MONTHS[month - 1]} {year}."
    )
    s_topics = (
        f"During the meeting, {host_short} and {guest_short} discussed "
        f"{topic_labels[topics[0]]} and {topic_labels[topics[1]]} in {country}."
    )
    h = a.para(s_meet, s_topics)
    meeting_id = "meeting"
    record = [
        f"  - id: {meeting_id}",
        "    kind: meeting",
        f"    label: {q(f'Meeting between {host.name} and {guest.name}')}",
        f'    date: "{date}"',
        f"    mode: {mode}",
        "    participants:",
        f"      - {{person: {host.id}, capacity: {host.post.id}}}",
        f"      - {{person: {guest.id}, capacity: {guest.post.id}}}",
        f"    topics: [{', '.join(topics)}]",
    ]
    if mode != "virtual":
        record.append(f"    location: {cid}")
    add("events", record + evidence_lines([(h[0], s_meet), (h[1], s_topics)]))

    # -- reported speech --------------------------------------------------------------------
    kinds = rng.sample(sorted(STATEMENT_KINDS), rng.randint(1, 3))
    sentences: list[str] = []
    specs: list[tuple[str, Person, str, str]] = []
    for n, kind in enumerate(kinds):
        speaker, addressee, whom = (host, oid, org) if n % 2 == 0 else (guest, cid, country)
        topic = rng.choice(_TOPIC_IDS)
        claim = STATEMENT_KINDS[kind][1].format(
            who=speaker.name.split()[-1], whom=whom, c=country, topic=topic_labels[topic]
        )
        sentences.append(claim + ("" if n else ", said a press release") + ".")
        specs.append((kind, speaker, addressee, topic))
    h = a.para(*sentences)
    for n, (kind, speaker, addressee, topic) in enumerate(specs):
        quote = sentences[n].removesuffix(".").removesuffix(", said a press release")
        record = [
            f"  - id: statement-{n + 1}",
            f"    speaker: {speaker.id}",
            f"    kind: {kind}",
            f"    content: {q(quote + '.')}",
            f"    addressee: {addressee}",
            f"    about: [{topic}]",
            f"    during: {meeting_id}",
        ]
        if n == 0:
            record.append("    according_to: press-release")
        add("statements", record + evidence_lines([(h[n], quote)]))

    # -- direct speech ----------------------------------------------------------------------
    for n in range(rng.randint(0, 2)):
        speaker = guest if n == 0 else host
        topic = rng.choice(_TOPIC_IDS)
        said = (
            f"{country} and {org} will keep working together on {topic_labels[topic]}, "
            f"and we expect results before {year + 1 + n}"
        )
        h = a.para(f'"{said}," {speaker.name.split()[-1]} said.')
        add(
            "quotes",
            [
                f"  - id: quote-{n + 1}",
                f"    speaker: {speaker.id}",
                f"    text: {q(said)}",
                f"    during: {meeting_id}",
            ],
        )

    # -- cooperation, goal ------------------------------------------------------------------
    strategy_id, strategy = pools.strategies[cid]
    areas = rng.sample(_CONCEPT_IDS["cooperation-areas"], rng.randint(1, 3))
    techs = rng.sample(_CONCEPT_IDS["technologies"], rng.randint(1, 2))
    sectors = rng.sample(_CONCEPT_IDS["sectors"], rng.randint(1, 3))
    label = _CONCEPT_LABELS
    status = rng.choice(["proposed", "ongoing", "planned"])
    s_coop = (
        f"The two sides agreed to cooperate on {', '.join(label[x].lower() for x in areas)}, "
        f"applying {' and '.join(label[x] for x in techs)} in "
        f"{', '.join(label[x].lower() for x in sectors)}."
    )
    goal = rng.random() < 0.6
    s_goal = f"{strategy} aims to make {country} a regional digital leader by {year + 6}."
    h = a.para(s_coop, s_goal) if goal else a.para(s_coop)
    record = [
        "  - id: cooperation-1",
        f"    label: {q(f'Cooperation between {org} and {country}')}",
        f"    status: {status}",
        f"    parties: [{oid}, {cid}]",
        f"    proposed_by: {host.id}",
        f"    areas: [{', '.join(areas)}]",
        f"    technologies: [{', '.join(techs)}]",
        f"    sectors: [{', '.join(sectors)}]",
    ]
    if goal:
        record.append(f"    supports: [{strategy_id}, regional-leadership]")
        add(
            "goals",
            [
                "  - id: regional-leadership",
                f"    holders: [{cid}]",
                f"    label: {q(f'Make {country} a regional digital leader')}",
                *evidence_lines([(h[1], s_goal)]),
            ],
        )
    add("cooperations", record + evidence_lines([(h[0], s_coop)]))

    # -- agreement, programme, figures, initiative -----------------------------------------
    if rng.random() < 0.7:
        kind = rng.choice(["mou", "agreement", "contract"])
        words = {"mou": "a memorandum of understanding", "agreement": "an agreement"}
        s_agr = (
            f"{org} also signed {words.get(kind, 'a contract')} with the "
            f"{pools.label_of[pools.governments[cid]]} on {label[areas[0]].lower()}."
        )
        h = a.para(s_agr)
        add(
            "agreements",
            [
                "  - id: agreement-1",
                f"    label: {q(f'{org} agreement with the government of {country}')}",
                f"    kind: {kind}",
                f"    parties: [{oid}, {pools.governments[cid]}]",
                *evidence_lines([(h[0], s_agr)]),
            ],
        )
        universities = rng.randint(3, 40)
        s_uni = f"It has signed similar MOUs with more than {universities} universities."
        h = a.para(s_uni)
        add(
            "figures",
            [
                "  - id: universities-with-mous",
                "    subject: agreement-1",
                "    measure: universities that signed MOUs",
                f"    value: {universities}",
                "    comparator: greater-than",
                "    unit: university",
                *evidence_lines([(h[0], s_uni)]),
            ],
        )
    if rng.random() < 0.6:
        pid, programme = pools.programmes[oid]
        founded = rng.randint(2010, year)
        measure, unit = rng.choice(UNITS)
        trained = rng.randint(2, 900) * 50
        s_est = f"{org} established the {programme} in {country} in {founded}."
        s_fig = f"Since then the academy counts over {trained:,} {measure}."
        h = a.para(s_est, s_fig)
        add(
            "establishments",
            [
                "  - id: academy-founding",
                f"    subject: {pid}",
                f"    founder: {oid}",
                f"    date: {founded}",
                f"    location: {cid}",
                f"    purpose: {q(f'Train digital talent in {country}.')}",
                *evidence_lines([(h[0], s_est)]),
            ],
        )
        add(
            "figures",
            [
                "  - id: academy-figure",
                f"    subject: {pid}",
                f"    measure: {q(measure)}",
                f"    value: {trained}",
                "    comparator: greater-than",
                f"    unit: {q(unit)}",
                f'    as_of: "{date}"',
                *evidence_lines([(h[1], f"over {trained:,} {measure}")]),
            ],
        )
    if rng.random() < 0.5:
        gid, group, _ = rng.choice(GROUPS)
        topic = rng.choice(_TOPIC_IDS)
        s_ini = (
            f"{org} launched an initiative to help {group.lower()} in {country} "
            f"gain {topic_labels[topic]}."
        )
        h = a.para(s_ini)
        add(
            "initiatives",
            [
                "  - id: initiative-1",
                f"    label: {q(f'{org} initiative for {group.lower()} in {country}')}",
                f"    organiser: {oid}",
                f"    beneficiaries: [{gid}]",
                f"    aims: {q(f'Help {group.lower()} gain {topic_labels[topic]}.')}",
                f"    topics: [{topic}]",
                *evidence_lines([(h[0], s_ini)]),
            ],
        )

    text = a.text()
    title = f"{host.name} and {guest.name} discuss cooperation between {country} and {org}"
    out = [
        "# Synthetic article written by 'newskg synth' (deterministic; not real news).",
        "article:",
        f"  title: {q(title)}",
        f'  date: "{date}"',
        "  publisher: null",
        "  language: en",
        "  url: null",
        "  synthetic: true",
        "sources:",
        '  - {id: press-release, label: "a press release", kind: PressRelease}',
    ]
    for section in (
        "events", "quotes", "statements", "cooperations", "goals", "establishments",
        "agreements", "initiatives", "figures",
    ):  # fmt: skip
        if section in sections:
            out.append(f"{section}:")
            out.extend(sections[section])
    facts_text = "\n".join(out) + "\n"
    for n, handles in enumerate(pending):
        lines = "\n".join(f"      - {_evidence(a, text, hd, quote)}" for hd, quote in handles)
        facts_text = facts_text.replace(f"    evidence: @@{n}@@", "    evidence:\n" + lines, 1)
    return text, facts_text


def article_id(i: int, articles: int) -> str:
    return f"syn-{i:0{max(6, len(str(articles - 1)))}d}"


@dataclass(frozen=True)
class SynthReport:
    articles: int
    entities: int
    out: Path


def synthesise(articles: int, out: Path, seed: int = 0) -> SynthReport:
    """Write ``articles`` synthetic articles and their entity registry under ``out``."""
    if articles < 1:
        raise InputError("--articles must be at least 1", hint="e.g. --articles 1000")
    if out.exists() and any(out.iterdir()) and not (out / "entities.yaml").exists():
        raise InputError(
            "output folder exists and is not a synthetic seeds folder",
            location=location_of(out),
            hint="pass an empty or new folder",
        )
    out.mkdir(parents=True, exist_ok=True)
    pools = make_pools(articles, seed)
    registry = entities_yaml(pools)
    _write(out / "entities.yaml", registry)
    for i in range(articles):
        folder = out / article_id(i, articles)
        folder.mkdir(exist_ok=True)
        text, facts = make_article(i, pools, seed)
        _write(folder / "article.txt", text)
        _write(folder / "facts.yaml", facts)
    return SynthReport(articles, registry.count("\n  - id: "), out)


def _write(path: Path, text: str) -> None:
    # Rewriting identical bytes would still bump mtimes; skip it so reruns are cheap no-ops.
    data = text.encode("utf-8")
    try:
        if path.read_bytes() == data:
            return
    except FileNotFoundError:
        pass
    path.write_bytes(data)


__all__ = ["SynthReport", "make_article", "synthesise"]
