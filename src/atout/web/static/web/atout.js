// atout's only script: pages work without it; it adds conveniences. Loaded from the site itself, as
// the Content-Security-Policy requires (no inline script).

// A form page that comes back with errors opens on their summary: give it the focus, so that a
// screen reader announces it and the keyboard starts from its links to the fields.
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
});
