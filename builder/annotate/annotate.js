// Served by `digest serve` only, on article pages, when editing is on: never part of a built site.
// Select words of the article, then "Add claim" or "Add caveat": a form writes the entry into the
// article's annotation file through the preview's API; the preview rebuilds and this page reloads
// on the new note. Each claim's note gets "Change verdict". The server checks everything again.
(() => {
  "use strict";
  const script = document.currentScript;
  const token = script.dataset.token;
  const api = script.dataset.api;
  const article = document.getElementById("article-text");
  const FOCUS_KEY = "digest-annotate-note";
  const CONTEXT = 64; // characters of text before and after a selection, to tell occurrences apart
  if (!article || !token || !api) return;

  let form = null; // what the API says the form offers (statuses, sources, topics, kinds, claims)
  let selection = null; // {exact, prefix, suffix} of the last selection inside the article
  let opener = null; // the control that opened the dialog: focus goes back to it

  function el(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (value === true) node.setAttribute(name, "");
      else if (value !== false && value != null) node.setAttribute(name, value);
    }
    node.append(...children);
    return node;
  }

  // The article's text as a reader sees it: every text node except the notes' markers.
  function readerText() {
    const nodes = [];
    let text = "";
    const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT, {
      acceptNode: (node) => (node.parentElement.closest("sup.marker") ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT),
    });
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      nodes.push([node, text.length]);
      text += node.data;
    }
    return { text, nodes };
  }

  function offsetOf(reader, container, offset) {
    for (const [node, start] of reader.nodes) if (node === container) return start + offset;
    const point = document.createRange();
    point.setStart(container, offset);
    for (const [node, start] of reader.nodes) if (point.comparePoint(node, 0) >= 0) return start;
    return reader.text.length;
  }

  function captureSelection() {
    const chosen = document.getSelection();
    if (!chosen || chosen.isCollapsed || chosen.rangeCount === 0) return;
    const range = chosen.getRangeAt(0);
    if (!article.contains(range.commonAncestorContainer)) return;
    const reader = readerText();
    let start = offsetOf(reader, range.startContainer, range.startOffset);
    let end = offsetOf(reader, range.endContainer, range.endOffset);
    while (start < end && /\s/.test(reader.text[start])) start++;
    while (end > start && /\s/.test(reader.text[end - 1])) end--;
    if (end <= start) return;
    selection = {
      exact: reader.text.slice(start, end),
      prefix: reader.text.slice(Math.max(0, start - CONTEXT), start),
      suffix: reader.text.slice(end, end + CONTEXT),
    };
    status.textContent = `Selected: “${shorten(selection.exact)}”.`;
    addClaim.disabled = addCaveat.disabled = false;
  }

  function shorten(text) {
    text = text.replace(/\s+/g, " ");
    return text.length > 80 ? text.slice(0, 79) + "…" : text;
  }

  async function call(path, body) {
    const response = await fetch(api + path, {
      method: body ? "POST" : "GET",
      headers: { "X-Digest-Token": token, ...(body ? { "Content-Type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
      credentials: "same-origin",
    });
    let data = {};
    try { data = await response.json(); } catch (error) { data = { error: `the preview answered ${response.status}` }; }
    return { ok: response.ok, data };
  }

  // The panel: always there on the page, its buttons enabled once words of the article are selected.
  const status = el("p", { id: "digest-annotate-status", "aria-live": "polite" },
    "Select words of the article to annotate them.");
  const addClaim = el("button", { type: "button", disabled: true }, "Add claim");
  const addCaveat = el("button", { type: "button", disabled: true }, "Add caveat");
  const panel = el("aside", { class: "digest-annotate", "aria-label": "Annotate (preview only)" },
    el("h2", {}, "Annotate"), status, el("p", { class: "digest-annotate-buttons" }, addClaim, " ", addCaveat));
  document.body.append(panel);
  document.addEventListener("selectionchange", captureSelection);

  // One dialog for the three forms; its fields are made when it opens.
  const title = el("h2", { id: "digest-annotate-title" });
  const errors = el("div", { id: "digest-annotate-errors", class: "digest-annotate-errors", role: "alert", tabindex: "-1" });
  const fields = el("div", { class: "digest-annotate-fields" });
  const saved = el("p", { class: "digest-annotate-saved", "aria-live": "polite" });
  const save = el("button", { type: "submit" }, "Save");
  const cancel = el("button", { type: "button" }, "Cancel");
  const dialogForm = el("form", { novalidate: true }, title, errors, fields, saved, el("p", { class: "digest-annotate-buttons" }, save, " ", cancel));
  const dialog = el("dialog", { class: "digest-annotate-dialog", "aria-labelledby": "digest-annotate-title" }, dialogForm);
  document.body.append(dialog);
  cancel.addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => { if (opener) opener.focus(); });
  let submit = null;
  dialogForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!submit) return;
    errors.replaceChildren();
    saved.textContent = "Saving…";
    save.disabled = true;
    const result = await submit();
    save.disabled = false;
    if (result.ok) {
      sessionStorage.setItem(FOCUS_KEY, result.data.note);
      saved.textContent = result.data.changed
        ? `Saved in ${result.data.path}. The preview is rebuilding; the page reloads on the new note.`
        : "Nothing to change: the file already says so.";
      return;
    }
    saved.textContent = "";
    const messages = result.data.errors || [result.data.error || "the preview refused the change"];
    errors.replaceChildren(el("p", {}, "Not saved; the file is unchanged:"),
      el("ul", {}, ...messages.map((message) => el("li", {}, el("code", {}, message)))));
    errors.focus();
  });

  function field(id, label, control, hint) {
    control.id = id;
    const parts = [el("label", { for: id }, label)];
    if (hint) {
      parts.push(el("span", { class: "digest-annotate-hint", id: id + "-hint" }, hint));
      control.setAttribute("aria-describedby", id + "-hint");
    }
    return el("p", { class: "digest-annotate-field" }, ...parts, control);
  }

  function select(options, chosen) {
    return el("select", { required: true }, ...options.map(([value, label]) => el("option", { value, selected: value === chosen }, label)));
  }

  // A comma-separated list of ids, completed from a registry: the datalist offers "typed, next-id".
  function idList(id, label, entries) {
    const list = el("datalist", { id: id + "-list" });
    const input = el("input", { type: "text", list: id + "-list", autocomplete: "off", spellcheck: "false" });
    const complete = () => {
      const parts = input.value.split(",");
      const done = parts.slice(0, -1).map((part) => part.trim()).filter(Boolean);
      const head = done.length ? done.join(", ") + ", " : "";
      list.replaceChildren(...entries.filter((entry) => !done.includes(entry.id))
        .map((entry) => el("option", { value: head + entry.id, label: entry.label })));
    };
    input.addEventListener("input", complete);
    input.addEventListener("focus", complete);
    const wrapper = field(id, label, input, "Ids, separated by commas; suggestions as you type.");
    wrapper.append(list);
    return { wrapper, value: () => input.value.split(",").map((part) => part.trim()).filter(Boolean) };
  }

  function open(kind, from, claim) {
    opener = from;
    errors.replaceChildren();
    saved.textContent = "";
    fields.replaceChildren();
    const quoted = selection;
    if (kind !== "verdict" && quoted) {
      fields.append(el("p", { class: "digest-annotate-quote" }, "Quote: ", el("q", {}, shorten(quoted.exact))));
    }
    const statuses = form.statuses.map((s) => [s.id, s.label]);
    if (kind === "claim") {
      title.textContent = "Add a claim";
      const claimText = el("input", { type: "text" });
      const claimants = el("datalist", { id: "da-claimants" }, ...form.claimants.map((name) => el("option", { value: name })));
      const claimant = el("input", { type: "text", list: "da-claimants", autocomplete: "off" });
      const statusSelect = select(statuses, form.statuses[0] && form.statuses[0].id);
      const sources = idList("da-sources", "Sources", form.sources.map((s) => ({ id: s.id, label: s.name })));
      const topics = idList("da-topics", "Topics", form.topics.map((t) => ({ id: t.id, label: t.title })));
      const note = el("textarea", { rows: "3" });
      fields.append(field("da-claim", "Claim, in your words", claimText), field("da-claimant", "Claimant", claimant),
        claimants, field("da-status", "Status", statusSelect), sources.wrapper, topics.wrapper,
        field("da-note", "Note (Markdown)", note));
      submit = () => call("claims", { ...quoted, claim: claimText.value, claimant: claimant.value,
        status: statusSelect.value, sources: sources.value(), topics: topics.value(), note: note.value });
    } else if (kind === "caveat") {
      title.textContent = "Add a caveat";
      const kindSelect = select(form.kinds.map((k) => [k, k]), form.kinds[0]);
      const text = el("textarea", { rows: "3", required: true });
      const boxes = form.claims.map((c, index) => {
        const box = el("input", { type: "checkbox", id: `da-qualifies-${index}`, value: c.id });
        return [box, el("p", { class: "digest-annotate-check" }, box, " ", el("label", { for: box.id }, shorten(c.label)))];
      });
      const qualifies = el("fieldset", {}, el("legend", {}, "Claims it qualifies"),
        ...(boxes.length ? boxes.map(([, row]) => row) : [el("p", {}, "This article has no claims yet.")]));
      const sources = idList("da-sources", "Sources it is about", form.sources.map((s) => ({ id: s.id, label: s.name })));
      fields.append(field("da-kind", "Kind", kindSelect), field("da-text", "Caveat (Markdown)", text), qualifies, sources.wrapper);
      submit = () => call("caveats", { ...(quoted || {}), kind: kindSelect.value, text: text.value,
        claims: boxes.filter(([box]) => box.checked).map(([box]) => box.value), sources: sources.value() });
    } else {
      title.textContent = `Change the verdict of “${shorten(claim.label)}”`;
      const statusSelect = select(statuses, claim.status);
      const reason = el("textarea", { rows: "3" });
      fields.append(field("da-verdict", "New status", statusSelect,
        "The previous verdict is kept in the claim's history, with the day it was given."),
        field("da-reason", "Why (Markdown, optional)", reason,
          "Replaces the claim's note; the old note stays with the old verdict."));
      submit = () => call(`claims/${encodeURIComponent(claim.id)}/verdict`,
        { status: statusSelect.value, note: reason.value });
    }
    dialog.showModal();
    const first = fields.querySelector("input, select, textarea");
    if (first) first.focus();
  }

  addClaim.addEventListener("click", () => form && selection && open("claim", addClaim));
  addCaveat.addEventListener("click", () => form && selection && open("caveat", addCaveat));

  function addVerdictButtons() {
    for (const claim of form.claims) {
      const note = document.getElementById("claim-" + claim.id);
      if (!note) continue;
      const button = el("button", { type: "button", class: "digest-annotate-verdict" }, "Change verdict");
      button.addEventListener("click", () => open("verdict", button, claim));
      const where = note.querySelector(".note-status") || note;
      where.append(" ", button);
    }
  }

  call("form").then((result) => {
    if (!result.ok) {
      status.textContent = `Editing is unavailable: ${result.data.error || (result.data.errors || []).join("; ")}`;
      addClaim.disabled = addCaveat.disabled = true;
      return;
    }
    form = result.data;
    addVerdictButtons();
  });

  // Back from a save: show the new (or changed) note.
  const focusNote = sessionStorage.getItem(FOCUS_KEY);
  if (focusNote) {
    sessionStorage.removeItem(FOCUS_KEY);
    if (document.getElementById(focusNote)) location.hash = "#" + focusNote;
  }
})();
