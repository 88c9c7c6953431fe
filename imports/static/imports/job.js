// The import page (imports/admin.py): refresh state, progress and counts from the status
// view every few seconds while the import moves; reload once it ends, to show the report.
"use strict";
(function () {
  const box = document.getElementById("import-status");
  const ended = ["finished", "failed", "undone"];
  if (!box || ended.includes(box.dataset.state)) return;

  function show(status) {
    for (const element of box.querySelectorAll("[data-status]")) {
      const value = status[element.dataset.status];
      element.textContent = value === null || value === undefined ? "" : value;
      if (element.dataset.status === "error") element.hidden = !value;
    }
    document.getElementById("import-progress").value = status.percent;
  }

  async function poll() {
    try {
      const response = await fetch(box.dataset.statusUrl, {headers: {Accept: "application/json"}});
      if (response.ok) {
        const status = await response.json();
        show(status);
        if (ended.includes(status.state)) return window.location.reload();
      }
    } catch (error) {
      // Offline for a moment: try again at the next tick.
    }
    window.setTimeout(poll, 2000);
  }

  window.setTimeout(poll, 2000);
})();
