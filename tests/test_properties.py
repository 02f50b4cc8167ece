"""Property: whatever an editor writes, check and build end in success or located errors, never a crash."""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from builder.build import build, check
from builder.stages.diagnostics import ContentErrors
from conftest import make_site

BODY = "Trump said China will buy **more _soybeans_** this [season](https://x.test).\n\nXinhua did not say so.\n"
FIELDS = ["id", "quote", "prefix", "suffix", "claim", "claimant", "status", "sources", "topics", "note",
          "kind", "text", "claims", "noted_by", "name", "url", "description"]
WORDS = ["soybeans", "more soybeans", "China will", "Xinhua", "trump", "xinhua", "trade", "confirmed",
         "omission", "a", "", "buy more", "javascript:alert(1)", "https://x.test", "Trump said China"]

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                    st.text(max_size=30), st.sampled_from(WORDS), st.dates())
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.one_of(st.sampled_from(FIELDS), st.text(max_size=8)), inner, max_size=5)), max_leaves=25)
records = st.dictionaries(st.sampled_from(FIELDS), st.one_of(st.sampled_from(WORDS), values,
                                                               st.lists(st.sampled_from(WORDS), max_size=3)),
                          max_size=len(FIELDS))
ids = st.sampled_from(["a", "b", "soy", "Bad Id", "trump", "xinhua"])
plausible_claim = st.fixed_dictionaries(
    {"id": ids, "quote": st.sampled_from(WORDS[:5] + ["more soybeans this season", "Xinhua did not"]),
     "status": st.sampled_from(["confirmed", "unconfirmed", "false", "misleading"]),
     "sources": st.lists(st.sampled_from(["trump", "xinhua", "analysts", "nobody"]), min_size=1, max_size=2)},
    optional={"prefix": st.sampled_from(WORDS), "suffix": st.sampled_from(WORDS), "claim": st.text(max_size=20),
              "claimant": scalars, "topics": st.lists(st.sampled_from(["trade", "agriculture", "nope"])),
              "note": st.text(alphabet="ab *_[]()<>:`\n", max_size=40)})
plausible_caveat = st.fixed_dictionaries(
    {"id": ids, "kind": st.sampled_from(["omission", "contradiction", "context", "rumour"]), "text": st.text(max_size=30)},
    optional={"claims": st.lists(ids, max_size=2), "sources": st.lists(st.sampled_from(["xinhua", "trump"]), max_size=2),
              "noted_by": st.lists(st.sampled_from(["analysts"]), max_size=1), "quote": st.sampled_from(WORDS),
              "prefix": st.sampled_from(WORDS)})
annotations = st.one_of(
    st.fixed_dictionaries({}, optional={"claims": st.lists(st.one_of(plausible_claim, plausible_claim, records), max_size=4),
                                        "caveats": st.lists(st.one_of(plausible_caveat, records), max_size=3),
                                        "sources": st.lists(records, max_size=2)}).map(yaml.safe_dump),
    values.map(yaml.safe_dump),
    st.text(max_size=200),  # anything at all, most of it not YAML
)
plausible_front = st.fixed_dictionaries(
    {"title": st.text(min_size=1, max_size=20), "date": st.dates()},
    optional={"topics": st.lists(st.sampled_from(["trade", "agriculture", "nope"])), "summary": scalars,
              "source": st.sampled_from(["trump", "xinhua", "nobody"]), "draft": st.booleans()})
front_matter = st.one_of(
    plausible_front.map(yaml.safe_dump), plausible_front.map(yaml.safe_dump),
    st.fixed_dictionaries({}, optional={
        "title": st.one_of(st.text(max_size=20), values), "date": st.one_of(st.dates(), st.text(max_size=12), values),
        "topics": st.one_of(st.lists(st.sampled_from(WORDS)), values), "summary": values,
        "source": st.one_of(st.sampled_from(WORDS), values), "draft": values}).map(yaml.safe_dump),
    st.text(max_size=80),
)
bodies = st.one_of(st.just(BODY), st.just(BODY), st.text(alphabet=st.characters(codec="utf-8"), max_size=200),
                   st.text(alphabet="ab *_[]()!<>`#\n-–”'\"", max_size=120))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(front=front_matter, body=bodies, annotation_text=annotations)
def test_check_and_build_end_in_success_or_located_errors(front, body, annotation_text):
    with tempfile.TemporaryDirectory() as folder:
        root = make_site(Path(folder) / "site", {
            "content/articles/story.md": f"---\n{front}---\n{body}",
            "content/articles/story.yaml": annotation_text,
        })
        out = Path(folder) / "public"
        try:
            check(root)
            build(root, out)
        except ContentErrors as errors:
            assert errors.diagnostics
            event(f"errors: {errors.diagnostics[0].message.split(' ')[0]}")
            for diagnostic in errors.diagnostics:
                assert diagnostic.at.line >= 1 and diagnostic.at.column >= 1
                assert (root / diagnostic.at.path).exists(), diagnostic
                assert diagnostic.message
            assert not out.exists()
        else:
            event("built")
            meta = yaml.safe_load(front)  # it built, so the front matter is a mapping and `draft` a boolean
            assert (out / "articles" / "story" / "index.html").is_file() == (not meta.get("draft", False))
