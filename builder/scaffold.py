"""The files an author starts from: a new digest (`digest init`) and a new article (`digest new`).

Nothing here overwrites a file: both commands refuse, saying why, before writing anything.
"""

from __future__ import annotations

import datetime
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from .stages.content import ARTICLES_DIR, CONFIG_PATH, article_slugs, load_registries, parse_article, read_article_files
from .stages.slugs import slug_from_title
from .stages.theme import PACKAGE_DIR, builtin_theme

STARTER = PACKAGE_DIR / "starter"  # the example digest `digest init` copies


class ScaffoldRefusal(Exception):
    """Creating the files would overwrite something, or put them in the wrong place."""


@dataclass(frozen=True)
class Known:
    """What a site already defines, offered in the templates `digest new` writes."""

    topic_ids: tuple[str, ...] = ()
    source_ids: tuple[str, ...] = ()
    status_ids: tuple[str, ...] = ("confirmed", "unconfirmed", "disputed", "false")


def create_digest(folder: Path, title: str, copy_theme: bool) -> list[Path]:
    """Write a new digest that builds as it is into `folder`, which must be new or empty."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise ScaffoldRefusal(f"{folder} is not an empty folder: choose a new folder name, or empty it first")
    created = []
    for starter_file in sorted(STARTER.rglob("*")):
        if starter_file.is_file():
            rel_path = starter_file.relative_to(STARTER).as_posix().replace("gitignore.txt", ".gitignore")
            text = starter_file.read_text(encoding="utf-8").replace("__TITLE__", json.dumps(title, ensure_ascii=False))
            created.append(_write_new(folder / rel_path, text))
    (folder / "site" / "static").mkdir(parents=True, exist_ok=True)
    if copy_theme:
        created += copy_builtin_theme(folder)
    return created


def copy_builtin_theme(folder: Path) -> list[Path]:
    """Templates into `templates/`, assets into `site/static/`: the places that override the built-in theme."""
    theme = builtin_theme()
    created = []
    for path in sorted(theme.rglob("*")):
        if path.is_file():
            rel_path = path.relative_to(theme)
            target = (folder / "site" / rel_path) if rel_path.parts[0] == "static" else folder / "templates" / rel_path
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists():
                raise ScaffoldRefusal(f"{target} already exists: remove it to copy the theme's version")
            shutil.copyfile(path, target)
            created.append(target)
    return created


def title_from_folder(folder: Path) -> str:
    """'my-digest' -> 'My Digest': a default title the author is expected to change."""
    words = re.split(r"[-_\s]+", folder.resolve().name)
    return " ".join(word.capitalize() for word in words if word) or "My Digest"


def article_slug(title: str) -> str:
    """The file name an article title gets: ASCII lowercase letters, digits and single hyphens."""
    return slug_from_title(title)


def known_ids(root: Path) -> Known | None:
    """The site's topic, source and status ids, or None while its content has errors."""
    registries = load_registries(root)
    slugs, problems = article_slugs(root)
    if registries.config is None or registries.diagnostics or problems:
        return None
    local: set[str] = set()
    for slug, has_annotations in slugs.items():
        article, article_problems = parse_article(read_article_files(root, slug, has_annotations))
        if article is None or article_problems:
            return None
        local.update(s.id for s in article.local_sources)
    return Known(tuple(t.id for t in registries.topics), tuple(sorted({s.id for s in registries.sources} | local)),
                 tuple(s.id for s in registries.config.statuses))


def create_article(root: Path, title: str, slug: str, date: datetime.date, topic_ids: tuple[str, ...],
                   draft: bool, known: Known) -> list[Path]:
    """Write content/articles/<slug>.md and its (commented) annotation file; refuse to overwrite either."""
    if not (root / CONFIG_PATH).is_file():
        raise ScaffoldRefusal(f"{root} is not a digest: it has no {CONFIG_PATH} "
                              "(run `digest init FOLDER` to start one, or pass --source)")
    article_path = root / ARTICLES_DIR / f"{slug}.md"
    annotations_path = root / ARTICLES_DIR / f"{slug}.yaml"
    for path in (article_path, annotations_path):
        if path.exists():
            raise ScaffoldRefusal(f"{path} already exists: choose another title, or give a --slug")
    return [_write_new(article_path, article_template(title, date, topic_ids, draft, slug, known)),
            _write_new(annotations_path, annotation_template(slug, topic_ids, known))]


def article_template(title: str, date: datetime.date, topic_ids: tuple[str, ...], draft: bool, slug: str,
                     known: Known) -> str:
    """The new article: front matter with the optional keys commented, and a line of placeholder text."""
    topics_line = f"topics: [{', '.join(topic_ids)}]" if topic_ids else "# topics: []"
    source_id = known.source_ids[0] if known.source_ids else "original-report"
    return (
        "---\n"
        f"title: {json.dumps(title, ensure_ascii=False)}\n"
        f"date: {date.isoformat()}\n"
        f"{topics_line:<36}# {_ids_hint('content/topics.yaml', known.topic_ids)}\n"
        "# summary: One or two sentences for the indexes.\n"
        f"# source: {source_id:<26}# id of the outlet the text comes from\n"
        f"{'draft: ' + ('true' if draft else 'false'):<36}# true: built only with --drafts\n"
        "---\n"
        "\n"
        "Write the article here, in Markdown.\n"
        "\n"
        f"Its claims and caveats go in {ARTICLES_DIR}/{slug}.yaml: each quotes words of this text to\n"
        "anchor its highlight.\n"
    )


def annotation_template(slug: str, topic_ids: tuple[str, ...], known: Known) -> str:
    """A valid annotation file that is all comments: uncomment a block and fill in its quote."""
    status_id = "unconfirmed" if "unconfirmed" in known.status_ids else known.status_ids[0]
    source_ids = known.source_ids[:1] or ("some-source",)
    topics_line = f"\n#     topics: [{', '.join(topic_ids)}]" if topic_ids else ""
    return f"""\
# Annotations for {ARTICLES_DIR}/{slug}.md: its claims, caveats and article-only sources.
# Everything below is commented out, so the article builds as it is. To annotate it:
#   1. uncomment a block: remove the "# " in front of each of its lines, its first line too;
#   2. set `quote` to words of the article as a reader sees them (leave out ** and _ marks);
#   3. run `digest build` (or keep `digest serve` running): a quote that is not in the article,
#      or that occurs more than once without a `prefix` or `suffix`, is reported with its line.
# The keys are described under "Content format" in the digest README.

# claims:
#   - id: first-claim                 # unique in this article; a caveat names it in `claims`
#     quote: WORDS FROM THE ARTICLE
#     claim: The claim in your own words.
#     claimant: Who makes the claim
#     status: {status_id:<24}# {', '.join(known.status_ids)}
#     # updated: 2026-03-20           # when the status was given, if after the article's date
#     # history:                      # the verdicts before it, oldest first
#     #   - {{date: 2026-03-02, status: {status_id}, note: Why it was rated so then.}}
#     sources: [{', '.join(source_ids)}]{' ' * max(1, 21 - len(', '.join(source_ids)))}# {_ids_hint('content/sources.yaml', known.source_ids)}{topics_line}
#     # To cite one document of a source, with an archived copy, write it instead of the id:
#     #   - {{id: {source_ids[0]}, title: The report, url: https://example.org/report,
#     #      archive_url: https://web.archive.org/web/2026/https://example.org/report}}
#     note: What a reader should know about the claim (Markdown).

# caveats:
#   - id: first-caveat
#     kind: context                   # omission | contradiction | context | correction
#     # date: 2026-03-05              # when it was added: a dated correction is listed under updates
#     text: What a reader should keep in mind (Markdown).
#     claims: [first-claim]
#     sources: [{', '.join(source_ids)}]{' ' * max(1, 21 - len(', '.join(source_ids)))}# for an omission or contradiction: the sources that omit or contradict

# sources:                            # sources used by this article only
#   - id: local-paper
#     name: The Local Paper
#     kind: newspaper
"""


def _ids_hint(registry: str, ids: tuple[str, ...]) -> str:
    if not ids:
        return f"ids from {registry}"
    shown = ", ".join(ids[:4]) + (", ..." if len(ids) > 4 else "")
    return f"ids from {registry}: {shown}"


def _write_new(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as file:  # "x": never replace a file that appeared meanwhile
        file.write(text)
    return path
