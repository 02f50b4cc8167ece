"""Shared fixtures: small sites written into tmp_path, and the default digest built once."""

from __future__ import annotations

import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest

from builder.build import build

REPO = Path(__file__).resolve().parent.parent

CONFIG = "title: Test Digest\ndescription: A digest for tests.\n"
SOURCES = """\
xinhua:
  name: Xinhua News Agency
  kind: state-media
  url: https://english.news.cn/
trump:
  name: Donald Trump on Truth Social
  kind: social-media
analysts:
  name: Analysts
  kind: analyst
"""
TOPICS = """\
trade:
  title: Trade
agriculture:
  title: Agriculture
"""


def make_site(root: Path, files: dict[str, str], defaults: bool = True) -> Path:
    """Write a site: `files` maps paths to text (dedented); defaults fill config, sources, topics."""
    base = {"site/config.yaml": CONFIG, "content/sources.yaml": SOURCES, "content/topics.yaml": TOPICS} if defaults else {}
    for rel_path, text in {**base, **files}.items():
        path = root / rel_path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def tree(folder: Path) -> dict[str, bytes]:
    """Every file below `folder` (relative POSIX path -> bytes): what two builds are compared by."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def stamps(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file below `folder` -> (inode, mtime): what tells a rewritten file from a kept one."""
    return {p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def load_content(root: Path) -> SimpleNamespace:
    """The site's files as read and shape-checked, references not yet checked (config, sources, topics,
    claimants, articles); ContentErrors listing every problem, as a build reports them."""
    from builder.stages.content import article_slugs, load_registries, parse_article, read_article_files
    from builder.stages.diagnostics import ContentErrors

    registries = load_registries(root)
    slugs, problems = article_slugs(root)
    articles = []
    for slug, has_annotations in slugs.items():
        parsed, article_problems = parse_article(read_article_files(root, slug, has_annotations))
        problems += article_problems
        if parsed is not None:
            articles.append(parsed)
    errors = [d for d in (*registries.diagnostics, *problems) if d.severity == "error"]
    if errors:
        raise ContentErrors(errors)
    return SimpleNamespace(config=registries.config, sources=registries.sources, topics=registries.topics,
                           claimants=registries.claimants, articles=tuple(articles))


def article(title: str = "A call", date: str = "2026-02-04", body: str = "Some text.", extra: str = "") -> str:
    """The text of an article file with front matter."""
    return f"---\ntitle: {title}\ndate: {date}\n{extra}---\n\n{textwrap.dedent(body)}"


@pytest.fixture(scope="session")
def default_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's own digest, built once into a temporary folder."""
    out = tmp_path_factory.mktemp("default") / "public"
    build(REPO, out)
    return out


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="Rewrite expected outputs (tests/sites/errors/*/expected.txt) from the current behaviour.")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return request.config.getoption("--update-golden")
