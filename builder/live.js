// Served by `digest serve` only, and put into pages as they are served: never part of a built site.
// Listens to the server's events: reloads the page when a rebuild changed it (or an asset it
// may use), swaps stylesheets in place when only CSS changed, and shows build errors over the page.
(() => {
  "use strict";
  const script = document.currentScript;
  let generation = script.dataset.generation;
  let path = decodeURIComponent(location.pathname).replace(/^\/+/, "");
  if (path === "" || path.endsWith("/")) path += "index.html";

  function showErrors(overlay) {
    const old = document.getElementById("digest-errors");
    if (old) old.remove();
    if (overlay) document.body.insertAdjacentHTML("beforeend", overlay);
  }

  function refreshStylesheets(version) {
    for (const link of document.querySelectorAll('link[rel="stylesheet"]')) {
      const url = new URL(link.href);
      url.searchParams.set("digest-live", version);
      link.href = url.href;
    }
  }

  const events = new EventSource("/__digest__/events");
  events.addEventListener("hello", (event) => {
    const state = JSON.parse(event.data);
    if (state.generation !== generation) location.reload();  // rebuilt while this page was loading
    else showErrors(state.overlay);
  });
  events.addEventListener("errors", (event) => showErrors(JSON.parse(event.data).overlay));
  events.addEventListener("reload", (event) => {
    const build = JSON.parse(event.data);
    generation = build.generation;
    showErrors("");
    const assets = build.changed.filter((p) => !p.endsWith(".html"));
    if (build.changed.includes(path) || assets.some((p) => !p.endsWith(".css"))) location.reload();
    else if (assets.length) refreshStylesheets(build.generation);
  });
})();
