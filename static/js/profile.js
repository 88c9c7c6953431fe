// Tessera profile page: tabs, the settings dialog and the history block's "load more".
// Everything also works without JavaScript (tabs and "load more" are plain links).
"use strict";

function selectTab(tab, focus) {
  const list = tab.closest("[role=tablist]");
  for (const other of list.querySelectorAll("[role=tab]")) {
    const selected = other === tab;
    other.setAttribute("aria-selected", String(selected));
    other.tabIndex = selected ? 0 : -1;
    document.getElementById(other.getAttribute("aria-controls")).hidden = !selected;
  }
  if (focus) tab.focus();
  const url = new URL(window.location.href);
  url.searchParams.set("tab", tab.dataset.tab);
  window.history.replaceState(null, "", url);
}

function setUpTabs() {
  for (const list of document.querySelectorAll("[role=tablist]")) {
    const tabs = Array.from(list.querySelectorAll("[role=tab]"));
    list.addEventListener("click", (event) => {
      const tab = event.target.closest("[role=tab]");
      if (!tab) return;
      event.preventDefault();
      selectTab(tab, false);
    });
    list.addEventListener("keydown", (event) => {
      const at = tabs.indexOf(document.activeElement);
      if (at < 0) return;
      const moves = { ArrowRight: 1, ArrowLeft: -1 };
      if (event.key in moves) {
        event.preventDefault();
        selectTab(tabs[(at + moves[event.key] + tabs.length) % tabs.length], true);
      }
    });
  }
}

function setUpDialogs() {
  document.addEventListener("click", (event) => {
    const opener = event.target.closest("[data-open-dialog]");
    if (opener) {
      event.preventDefault();
      document.getElementById(opener.dataset.openDialog).showModal();
    }
    const closer = event.target.closest("[data-close-dialog]");
    if (closer) closer.closest("dialog").close();
  });
}

async function loadMore(link) {
  link.setAttribute("aria-busy", "true");
  const response = await fetch(link.dataset.rowsUrl, { headers: { Accept: "text/html" } });
  if (!response.ok) {
    link.removeAttribute("aria-busy");
    link.textContent = "Could not load more history; try again";
    return;
  }
  const page = new DOMParser().parseFromString(await response.text(), "text/html");
  const rows = document.getElementById("history-rows");
  for (const row of page.querySelectorAll("#history-rows > tr")) rows.appendChild(row);
  const next = page.getElementById("history-more");
  link.closest("#history-more").replaceWith(next);
}

function setUpHistory() {
  document.addEventListener("click", (event) => {
    const link = event.target.closest("[data-rows-url]");
    if (!link) return;
    event.preventDefault();
    loadMore(link);
  });
}

setUpTabs();
setUpDialogs();
setUpHistory();
