"""A deterministic, seeded corpus in the digest format, and the same articles as a Hugo site.

`generate(root, n, seed)` writes a digest site (config, a shared source registry and
topic list, n articles of ~700 words with 3-6 anchored claims and 0-2 caveats each)
into `root/digest/`, and the same Markdown, without annotations, into `root/hugo/`.
The same (n, seed) always gives the same bytes.

Quotes are chosen from the text as a reader sees it, some across **bold**, _italic_
or link text, and each is checked to occur exactly once, so every corpus builds.

    python bench/corpus.py OUT_DIR --articles 1000 --seed 1
"""

from __future__ import annotations

import argparse
import datetime
import random
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from builder.stages.anchoring import BLOCK_BREAK, fold, fold_fragment  # noqa: E402  (the checkout's own folding)

N_SOURCES = 120
N_TOPICS = 30
SOURCE_KINDS = ("state-media", "official", "social-media", "wire", "newspaper", "broadcaster", "analyst",
                "think-tank", "other")
STATUSES = ("confirmed", "unconfirmed", "disputed", "false")

TOPIC_NAMES = ("trade", "energy", "agriculture", "defence", "diplomacy", "elections", "health", "climate",
               "technology", "finance", "labour", "housing", "transport", "education", "justice", "migration",
               "water", "shipping", "mining", "fisheries", "space", "cyber", "tourism", "media", "science",
               "aviation", "telecoms", "pensions", "tax", "industry")
PLACES = ("Lisbon", "Nairobi", "Osaka", "Lima", "Hanoi", "Oslo", "Accra", "Quito", "Tbilisi", "Perth", "Porto",
          "Cairo", "Dhaka", "Tunis", "Riga", "Manila", "Bogota", "Dakar", "Almaty", "Santiago", "Valletta", "Kigali")
FIRST = ("Amara", "Jonas", "Mei", "Tomas", "Leila", "Ravi", "Ines", "Kofi", "Sofia", "Yusuf", "Hana", "Mateo",
         "Greta", "Omar", "Lucia", "Arjun", "Noor", "Pavel", "Zainab", "Elias")
LAST = ("Okafor", "Lindqvist", "Tanaka", "Moreau", "Haddad", "Silva", "Novak", "Mensah", "Kowalski", "Ferreira",
        "Nakamura", "Duarte", "Petrov", "Achebe", "Castillo", "Varga", "Rahman", "Keller", "Sato", "Obi")
ROLES = ("finance minister", "trade envoy", "central bank governor", "union leader", "chief executive",
         "opposition spokesperson", "regional governor", "port authority director", "energy regulator",
         "health commissioner", "senior analyst", "mayor")
OUTLET_WORDS = ("Ledger", "Courier", "Herald", "Observer", "Monitor", "Dispatch", "Gazette", "Review", "Signal",
                "Tribune", "Bulletin", "Chronicle", "Post", "Record", "Wire", "Journal")
OUTLET_ADJ = ("Daily", "Evening", "Coastal", "Northern", "Global", "Independent", "Metropolitan", "Weekly",
              "National", "Free")
NOUNS = ("tariffs", "subsidies", "exports", "the budget", "fuel prices", "the harvest", "the pipeline", "wages",
         "the port expansion", "grain reserves", "the rail link", "bond yields", "the grid upgrade", "the treaty",
         "rents", "the vaccine rollout", "water rationing", "the fishing quota", "the copper mine", "data rules")
VERBS = ("would rise", "had fallen", "could double", "was under review", "would be delayed", "had stalled",
         "was expected to recover", "would be cut", "had been approved", "was likely to shrink")
CONNECTIVES = ("However,", "Meanwhile,", "In a statement,", "By contrast,", "Earlier,", "Separately,",
               "According to officials,", "Later that day,", "In response,", "For now,")
FILLER = ("officials stressed that the talks remained at an early stage",
          "the figures could not be independently verified",
          "negotiators are due to meet again before the end of the quarter",
          "several committees have asked for the full documents",
          "markets reacted cautiously to the announcement",
          "the ministry declined to give a timetable",
          "local groups have called for a public consultation",
          "the plan still needs the approval of parliament",
          "critics said the estimate relied on optimistic assumptions",
          "residents reported long queues at the main offices")


@dataclass(frozen=True)
class Run:
    text: str  # as a reader sees it
    style: str = ""  # "" | bold | italic | link


@dataclass
class GeneratedArticle:
    slug: str
    markdown: str
    annotations: str
    hugo_markdown: str


def generate(root: Path, n: int, seed: int = 1) -> None:
    """Write the digest site into root/digest and the Hugo site into root/hugo."""
    rng = random.Random(seed)
    digest, hugo = root / "digest", root / "hugo"
    (digest / "site").mkdir(parents=True, exist_ok=True)
    (digest / "content" / "articles").mkdir(parents=True, exist_ok=True)
    (hugo / "content" / "articles").mkdir(parents=True, exist_ok=True)
    (hugo / "layouts" / "_default").mkdir(parents=True, exist_ok=True)
    source_ids = [f"{adj.lower()}-{word.lower()}-{i}" for i, (adj, word) in
                  enumerate((rng.choice(OUTLET_ADJ), rng.choice(OUTLET_WORDS)) for _ in range(N_SOURCES))]
    (digest / "site" / "config.yaml").write_text(
        f"title: Synthetic Digest ({n} articles)\ndescription: A generated corpus for benchmarks.\n"
        "base_url: https://example.org/digest/\n", encoding="utf-8")
    (digest / "content" / "sources.yaml").write_text(_sources_yaml(source_ids, rng), encoding="utf-8")
    (digest / "content" / "topics.yaml").write_text(
        "".join(f"{t}:\n  title: {t.capitalize()}\n  description: News about {t}.\n" for t in TOPIC_NAMES),
        encoding="utf-8")
    _write_hugo_site(hugo, n)
    for index in range(n):
        article = _article(index, rng, source_ids)
        (digest / "content" / "articles" / f"{article.slug}.md").write_text(article.markdown, encoding="utf-8")
        (digest / "content" / "articles" / f"{article.slug}.yaml").write_text(article.annotations, encoding="utf-8")
        (hugo / "content" / "articles" / f"{article.slug}.md").write_text(article.hugo_markdown, encoding="utf-8")


def _sources_yaml(source_ids: list[str], rng: random.Random) -> str:
    out = []
    for source_id in source_ids:
        words = source_id.split("-")
        out.append(f"{source_id}:\n  name: The {words[0].capitalize()} {words[1].capitalize()} {words[2]}\n"
                   f"  kind: {rng.choice(SOURCE_KINDS)}\n  url: https://example.org/{source_id}/\n"
                   f"  description: A generated outlet covering {rng.choice(TOPIC_NAMES)}.\n")
    return "\n".join(out)


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _sentence(rng: random.Random, serial: int) -> list[Run]:
    """One sentence as runs; `serial` makes each sentence's figures unique within the article."""
    person, role, place = _person(rng), rng.choice(ROLES), rng.choice(PLACES)
    figure = f"{rng.randint(2, 97)}.{serial % 10} per cent"
    kind = rng.randrange(5)
    if kind == 0:
        return [Run(f"{rng.choice(CONNECTIVES)} {person}, the {role} in {place}, said that {rng.choice(NOUNS)} "
                    f"{rng.choice(VERBS)} by {figure}, adding that {rng.choice(FILLER)}.")]
    if kind == 1:
        return [Run(f"{person} told reporters in {place} that "),
                Run(f"{rng.choice(NOUNS)} {rng.choice(VERBS)}", "bold"),
                Run(f" after a vote of {rng.randint(101, 989)} to {rng.randint(11, 99)}, while {rng.choice(FILLER)}.")]
    if kind == 2:
        return [Run(f"“We expect {rng.choice(NOUNS)} {rng.choice(VERBS)} within {rng.randint(2, 40)} months,” "
                    f"the {role} said, a view that "),
                Run(f"analysts in {place} called ambitious", "italic"),
                Run(f" given that {rng.choice(FILLER)}.")]
    if kind == 3:
        return [Run(f"A report published by the {rng.choice(OUTLET_ADJ)} {rng.choice(OUTLET_WORDS)} found that "),
                Run(f"{rng.choice(NOUNS)} {rng.choice(VERBS)} in {place}", "link"),
                Run(f" by {figure} — a finding that {person} disputed.")]
    return [Run(f"{rng.choice(CONNECTIVES)} {rng.choice(FILLER)}, and {person} warned that {rng.choice(NOUNS)} "
                f"{rng.choice(VERBS)} unless the {rng.randint(1990, 2030)} agreement is renewed.")]


def _markdown(runs: list[Run], slug: str) -> str:
    parts = []
    for run in runs:
        if run.style == "bold":
            parts.append(f"**{run.text}**")
        elif run.style == "italic":
            parts.append(f"_{run.text}_")
        elif run.style == "link":
            parts.append(f"[{run.text}](https://example.org/reports/{slug})")
        else:
            parts.append(run.text)
    return "".join(parts)


def _article(index: int, rng: random.Random, source_ids: list[str]) -> GeneratedArticle:
    place = rng.choice(PLACES)
    slug = f"{rng.choice(TOPIC_NAMES)}-{place.lower()}-{index:05d}"
    paragraphs: list[list[Run]] = []
    serial = 0
    while sum(len("".join(r.text for r in p).split()) for p in paragraphs) < 690:
        paragraph: list[Run] = []
        for _ in range(rng.randint(3, 5)):
            serial += 1
            if paragraph:
                paragraph.append(Run(" "))
            paragraph.extend(_sentence(rng, serial))
        paragraphs.append(paragraph)
    visible = [("".join(r.text for r in p)) for p in paragraphs]
    folded = fold(BLOCK_BREAK.join(visible)).text
    title = f"{rng.choice(NOUNS).capitalize()} {rng.choice(VERBS)} in {place}, officials say"
    date = datetime.date(2021, 1, 1) + datetime.timedelta(days=rng.randrange(1800))
    topics = sorted(rng.sample(TOPIC_NAMES, rng.randint(1, 3)))
    summary = f"{_person(rng)} and other officials in {place} disagree about {rng.choice(NOUNS)}."
    outlet = rng.choice(source_ids)
    front = (f"---\ntitle: \"{title}\"\ndate: {date.isoformat()}\ntopics: [{', '.join(topics)}]\n"
             f"summary: \"{summary}\"\nsource: {outlet}\n---\n\n")
    body = "\n\n".join(_markdown(p, slug) for p in paragraphs) + "\n"
    claims = _pick_quotes(rng, visible, folded, rng.randint(3, 6))
    annotations = _annotations(rng, claims, visible, folded, source_ids, topics)
    hugo_front = (f"---\ntitle: \"{title}\"\ndate: {date.isoformat()}\ntags: [{', '.join(topics)}]\n"
                  f"summary: \"{summary}\"\n---\n\n")
    return GeneratedArticle(slug, front + body, annotations, hugo_front + body)


def _pick_quotes(rng: random.Random, visible: list[str], folded: str, count: int, taken: set[str] | None = None) -> list[str]:
    """`count` quotes of 6-14 words, each found exactly once in the folded article text."""
    taken = set() if taken is None else taken
    quotes: list[str] = []
    while len(quotes) < count:
        words = rng.choice(visible).split(" ")
        length = rng.randint(6, 14)
        start = rng.randrange(max(1, len(words) - length))
        quote = " ".join(words[start:start + length]).strip(" ,.")
        key = fold_fragment(quote)
        if len(key) > 20 and folded.count(key) == 1 and key not in taken:
            taken.add(key)
            quotes.append(quote)
    return quotes


def _yaml_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _annotations(rng: random.Random, quotes: list[str], visible: list[str], folded: str,
                 source_ids: list[str], topics: list[str]) -> str:
    lines = ["claims:"]
    claim_ids = []
    for number, quote in enumerate(quotes, start=1):
        claim_id = f"claim-{number}"
        claim_ids.append(claim_id)
        cited = sorted(rng.sample(source_ids, rng.randint(1, 2)))
        lines += [f"  - id: {claim_id}", f"    quote: {_yaml_text(quote)}",
                  f"    claim: {_yaml_text('The article reports that ' + quote[:60].rstrip() + '.')}",
                  f"    claimant: {_person(rng)}", f"    status: \"{rng.choice(STATUSES)}\"",
                  f"    sources: [{', '.join(cited)}]"]
        if rng.random() < 0.7:
            lines.append(f"    topics: [{', '.join(sorted(rng.sample(topics, 1)))}]")
        if rng.random() < 0.5:
            lines.append(f"    note: {_yaml_text('Checked against **' + rng.choice(PLACES) + '** records.')}")
    caveats = rng.randint(0, 2)
    if caveats:
        lines.append("caveats:")
        extra = _pick_quotes(rng, visible, folded, caveats, {fold_fragment(q) for q in quotes})
        for letter in range(caveats):
            kind = rng.choice(("omission", "contradiction", "context"))
            lines += [f"  - id: caveat-{letter + 1}", f"    kind: {kind}",
                      f"    text: {_yaml_text(f'The _{rng.choice(OUTLET_WORDS)}_ account differs on this point.')}",
                      f"    claims: [{rng.choice(claim_ids)}]", f"    sources: [{rng.choice(source_ids)}]"]
            if rng.random() < 0.5:
                lines.append(f"    quote: {_yaml_text(extra[letter])}")
    return "\n".join(lines) + "\n"


def _write_hugo_site(hugo: Path, n: int) -> None:
    """A minimal Hugo site: one layout per page kind, pretty URLs, tags as the topic taxonomy."""
    (hugo / "config.toml").write_text(
        f'baseURL = "https://example.org/digest/"\ntitle = "Synthetic Digest ({n} articles)"\n'
        'disableKinds = ["RSS", "sitemap", "robotsTXT"]\nrelativeURLs = true\n'
        '[taxonomies]\n  tag = "tags"\n', encoding="utf-8")
    layouts = hugo / "layouts" / "_default"
    base = ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }} · {{ .Site.Title }}'
            '</title></head><body><header><a href="{{ "" | relURL }}">{{ .Site.Title }}</a></header><main>%s</main>'
            '</body></html>\n')
    (layouts / "single.html").write_text(base % (
        '<article><h1>{{ .Title }}</h1><p><time>{{ .Date.Format "2 January 2006" }}</time> · '
        '{{ range .Params.tags }}<a href="{{ ("tags/" | relURL) }}{{ . | urlize }}/">{{ . }}</a> {{ end }}</p>'
        '<p>{{ .Summary }}</p>{{ .Content }}</article>'), encoding="utf-8")
    (layouts / "list.html").write_text(base % (
        '<h1>{{ .Title }}</h1><ol>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> '
        '<time>{{ .Date.Format "2 January 2006" }}</time><p>{{ .Params.summary }}</p></li>{{ end }}</ol>'),
        encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    generate(args.out, args.articles, args.seed)


if __name__ == "__main__":
    main()
