/* digest: optional enhancements. Every page works without this file; links do the real work.
   - Selecting highlighted text opens its note, like its footnote marker does.
   - Opening a note (marker, highlight or #fragment) moves focus to it, so keyboard and screen
     reader users land where sighted users look.
   - Hovering or focusing a highlight marks its note, and the other way round.
   The search page has its own script, search.js. */
(function () {
  "use strict";

  function notesFor(noteId) {
    var note = document.getElementById(noteId);
    return note && note.classList.contains("note") ? note : null;
  }

  function marksFor(noteId) {
    return document.querySelectorAll('mark[data-note="' + CSS.escape(noteId) + '"]');
  }

  function link(noteId, on) {
    var note = notesFor(noteId);
    if (note) note.classList.toggle("is-linked", on);
    marksFor(noteId).forEach(function (mark) { mark.classList.toggle("is-linked", on); });
  }

  function focusTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id && document.getElementById(id);
    var note = target && target.closest(".note[tabindex]");
    if (note) note.focus({ preventScroll: target !== note });
  }

  function openNote(noteId) {
    if (location.hash === "#" + noteId) {
      focusTarget();
    } else {
      location.hash = noteId;  // :target opens the note in place on narrow screens
    }
  }

  document.addEventListener("click", function (event) {
    var mark = event.target.closest("mark[data-note]");
    if (!mark || event.target.closest("a")) return;
    var selection = window.getSelection();
    if (selection && !selection.isCollapsed) return;  // the reader is selecting text, not asking for the note
    openNote(mark.getAttribute("data-note"));
  });

  function hoverTarget(element) {
    var mark = element.closest && element.closest("mark[data-note]");
    if (mark) return mark.getAttribute("data-note");
    var marker = element.closest && element.closest("sup.marker a");
    if (marker) return marker.getAttribute("href").slice(1);
    var note = element.closest && element.closest(".note[data-highlight]");
    if (note) return note.id;
    return null;
  }

  ["mouseover", "focusin"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      var id = hoverTarget(event.target);
      if (id) link(id, true);
    });
  });
  ["mouseout", "focusout"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      var id = hoverTarget(event.target);
      if (id) link(id, false);
    });
  });

  window.addEventListener("hashchange", focusTarget);
  if (location.hash) focusTarget();
})();
