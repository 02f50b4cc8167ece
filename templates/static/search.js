/* digest: the search page. Loads the shards listed in pagefind/shards.json into one Pagefind
   instance (mergeIndex), searches them as one index, and lists the results.

   Why the extra searches: a shard that lacks a query word makes Pagefind search a shorter word
   instead, or drop the word (builder/stages/vocabulary.py). So each word is first looked up on
   its own: a quoted search finds the shards that hold it whole, and the shards' vocabulary pages
   (filter "vocabulary") the shards that hold a longer word it begins. The query then runs only
   in shards that hold every word the digest has; a word the digest lacks anywhere is left to
   Pagefind, as over one whole index. Vocabulary pages are never shown.

   Without JavaScript the page shows its <noscript> notice instead. */
const SHOWN_AT_ONCE = 10;
const SUB_RESULTS = 3; // per page, the ones with the most matches, in page order
const VOCABULARY = "vocabulary";

const root = document.querySelector("[data-search]");
const form = root.querySelector("form");
const input = form.querySelector("input[name=q]");
const status = root.querySelector("[role=status]");
const list = root.querySelector(".search-results");
const more = root.querySelector(".search-more");

let engine = null; // Promise<{pagefind, shards}>
let latest = 0; // the newest query's number: older answers are dropped
let pending = [];

function load() {
  if (!engine) {
    engine = (async () => {
      const manifestUrl = new URL(root.dataset.manifest, document.baseURI);
      const response = await fetch(manifestUrl, { cache: "no-cache" });
      if (!response.ok) throw new Error(`${manifestUrl}: HTTP ${response.status}`);
      const { shards } = await response.json();
      const bundle = (shard) => new URL(`${shard}/`, manifestUrl).pathname;
      const baseUrl = new URL("../", manifestUrl).pathname; // the site root, pagefind/ sits in it
      const module = await import(`${bundle(shards[0])}pagefind.js`);
      const pagefind = module.createInstance({ basePath: bundle(shards[0]), baseUrl,
                                              mergeFilter: { shard: shards[0] } });
      await Promise.all(shards.slice(1).map((shard) =>
        pagefind.mergeIndex(bundle(shard), { baseUrl, mergeFilter: { shard } })));
      await pagefind.filters(); // loads every shard's filter chunk: the vocabulary counts need them
      return { pagefind, shards };
    })();
  }
  return engine;
}

function shown(counts, shards) {
  return shards.filter((shard) => (counts || {})[shard] > 0);
}

/* The shards whose pages can answer `query`, and the filter that keeps vocabulary pages out. */
async function shardsFor(pagefind, shards, query) {
  const noVocabulary = { none: shards.map((shard) => ({ [VOCABULARY]: shard })) };
  let usable = shards;
  if (!/^\s*".+"\s*$/.test(query)) { // a quoted phrase never falls back: every shard answers for itself
    const words = query.split(/\s+/).map((word) => word.replace(/"/g, "")).filter(Boolean);
    const holders = await Promise.all(words.map(async (word) => { // all at once: one round of chunk requests
      const [whole, longer] = await Promise.all([
        pagefind.search(`"${word}"`, { filters: noVocabulary }),
        pagefind.search(word)]);
      return new Set([...shown(whole.filters.shard, shards), ...shown(longer.filters[VOCABULARY], shards)]);
    }));
    for (const holding of holders) {
      if (holding.size) usable = usable.filter((shard) => holding.has(shard));
    }
  }
  return { shard: { any: usable }, ...noVocabulary };
}

/** Every result for `query` over all shards, best first: Pagefind's result objects (data() loads one). */
export async function find(query) {
  const { pagefind, shards } = await load();
  const filters = await shardsFor(pagefind, shards, query);
  return (await pagefind.search(query, { filters })).results;
}

/* Pagefind's excerpt marks matches with <mark> in text whose < and > it has escaped. */
function excerptNodes(excerpt) {
  const unescape = (text) => text.replace(/&lt;/g, "<").replace(/&gt;/g, ">");
  return excerpt.split(/(<mark>.*?<\/mark>)/).filter(Boolean).map((part) => {
    const marked = part.match(/^<mark>(.*)<\/mark>$/);
    if (!marked) return document.createTextNode(unescape(part));
    const mark = document.createElement("mark");
    mark.textContent = unescape(marked[1]);
    return mark;
  });
}

function subResults(data) {
  const anchored = (data.sub_results || []).filter((sub) => sub.url.includes("#"));
  const best = new Set([...anchored].sort((a, b) => (b.locations || []).length - (a.locations || []).length)
    .slice(0, SUB_RESULTS));
  return anchored.filter((sub) => best.has(sub));
}

function resultItem(data) {
  const item = document.createElement("li");
  item.className = "search-result";
  const heading = document.createElement("h2");
  const link = document.createElement("a");
  link.href = data.url;
  link.textContent = data.meta.title || data.url;
  heading.append(link);
  const excerpt = document.createElement("p");
  excerpt.append(...excerptNodes(data.excerpt));
  item.append(heading, excerpt);
  const subs = subResults(data);
  if (subs.length) {
    const nested = document.createElement("ul");
    for (const sub of subs) {
      const entry = document.createElement("li");
      const subLink = document.createElement("a");
      subLink.href = sub.url;
      subLink.textContent = sub.title;
      const subExcerpt = document.createElement("p");
      subExcerpt.append(...excerptNodes(sub.excerpt));
      entry.append(subLink, subExcerpt);
      nested.append(entry);
    }
    item.append(nested);
  }
  return item;
}

async function showNext(number) {
  const batch = pending.splice(0, SHOWN_AT_ONCE);
  const data = await Promise.all(batch.map((result) => result.data()));
  if (number !== latest) return;
  list.append(...data.map(resultItem));
  more.hidden = pending.length === 0;
}

async function run(query) {
  const number = ++latest;
  query = query.trim();
  list.replaceChildren();
  more.hidden = true;
  pending = [];
  if (!query) {
    status.textContent = "";
    return;
  }
  status.textContent = "Searching…";
  try {
    const results = await find(query);
    if (number !== latest) return;
    pending = results;
    const count = pending.length;
    status.textContent = count ? `${count} ${count === 1 ? "result" : "results"} for “${query}”`
      : `No results for “${query}”`;
    await showNext(number);
  } catch (error) {
    engine = null; // try again with the next query
    if (number !== latest) return;
    console.error(error);
    status.textContent = "Search is unavailable right now.";
  }
}

let typing = 0;
input.addEventListener("input", () => {
  clearTimeout(typing);
  typing = setTimeout(() => run(input.value), 300);
});
form.addEventListener("submit", (event) => {
  event.preventDefault();
  clearTimeout(typing);
  const url = new URL(location.href);
  url.searchParams.set("q", input.value);
  history.replaceState(null, "", url);
  run(input.value);
});
more.addEventListener("click", () => {
  const next = list.children.length;
  showNext(latest).then(() => list.children[next]?.querySelector("a")?.focus());
});

const initial = new URLSearchParams(location.search).get("q");
if (initial) {
  input.value = initial;
  run(initial);
}
