"""An article's notes, grouped by the paragraph (top-level block) their highlight is in.

The theme shows each group beside its paragraph on wide screens and just after it on narrow ones,
without JavaScript: the groups are CSS grid items whose rows are computed here. The article text
is one element whose blocks become grid items themselves (display: contents), so its textContent
stays the plain article text that the Web Annotation export indexes.
"""

from __future__ import annotations

from dataclasses import dataclass

from .articles import AnchoredArticle, AnchoredCaveat, AnchoredClaim


@dataclass(frozen=True)
class NoteGroup:
    block: int  # 1-based top-level block of the article text; also the grid row on wide screens
    wide_span: int  # rows it may take on wide screens: up to the next block with notes, so long notes
                    # run down beside the following paragraphs instead of pushing them apart
    narrow_row: int  # grid row in the one-column layout: just after its block
    notes: tuple[AnchoredClaim | AnchoredCaveat, ...]  # in reading order


def group_notes(article: AnchoredArticle) -> tuple[NoteGroup, ...]:
    """Claims and anchored caveats, grouped by block, in reading order."""
    ranges = article.anchors
    annotated: list[AnchoredClaim | AnchoredCaveat] = [*article.claims, *(c for c in article.caveats if c.anchored)]
    annotated.sort(key=lambda n: (ranges[n.note_id].start, ranges[n.note_id].end, n.note_id))
    blocks: dict[int, list[AnchoredClaim | AnchoredCaveat]] = {}
    for note in annotated:
        blocks.setdefault(ranges[note.note_id].block, []).append(note)
    starts = sorted(blocks)
    ends = starts[1:] + [article.blocks + 1]
    # Blocks fill the rows left free in order, so the n-th group after block b sits at row b + n.
    return tuple(NoteGroup(block, end - block, block + index, tuple(blocks[block]))
                 for index, (block, end) in enumerate(zip(starts, ends), start=1))
