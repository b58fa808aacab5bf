// pgqrs dashboard: live refresh of the page's live region, and confirmations for actions.
//
// The server sends "change" events (server-sent events, /events) when a notification concerns
// this page; the page then fetches itself again with the header X-Pgqrs-Fragment: 1 and swaps
// its live region (#live), at most once a second, and not while the tab is hidden. A workflow
// that is still running also refreshes every 5 seconds: steps send no notification.
(function () {
  "use strict";
  var body = document.body;
  var base = body.getAttribute("data-base") || "";
  var watch = body.getAttribute("data-watch");
  var live = document.getElementById("live");
  var status = document.getElementById("live-status");
  var MIN_GAP = 1000;
  var RUNNING_POLL = 5000;
  var last = 0;
  var timer = null;
  var busy = false;
  var stale = false;
  var poll = null;

  function setStatus(state, text) {
    if (!status) return;
    status.className = "live-status " + state;
    status.textContent = text;
  }

  function openDetails() {
    var open = [];
    live.querySelectorAll("details[open]").forEach(function (d) {
      var key = d.querySelector("summary");
      if (key) open.push(key.textContent);
    });
    return open;
  }

  function reopen(open) {
    if (!open.length) return;
    live.querySelectorAll("details").forEach(function (d) {
      var key = d.querySelector("summary");
      if (key && open.indexOf(key.textContent) >= 0) d.open = true;
    });
  }

  function refresh() {
    timer = null;
    if (document.hidden) { stale = true; return; }
    if (busy) { schedule(); return; }
    busy = true;
    last = Date.now();
    fetch(window.location.href, {
      headers: { "X-Pgqrs-Fragment": "1" },
      credentials: "same-origin",
      cache: "no-store",
    }).then(function (response) {
      if (!response.ok && response.status !== 400) throw new Error("HTTP " + response.status);
      return response.text();
    }).then(function (html) {
      var open = openDetails();
      live.innerHTML = html;
      reopen(open);
      body.setAttribute("data-refreshed", String(Date.now()));
      setStatus("on", "live");
      pollIfRunning();
    }).catch(function () {
      setStatus("off", "offline");
    }).then(function () { busy = false; });
  }

  function schedule() {
    if (timer !== null) return;
    timer = setTimeout(refresh, Math.max(0, last + MIN_GAP - Date.now()));
  }

  function pollIfRunning() {
    var state = document.getElementById("wf-state");
    if (poll !== null) { clearTimeout(poll); poll = null; }
    if (state && state.getAttribute("data-final") === "0") {
      poll = setTimeout(schedule, RUNNING_POLL);
    }
  }

  if (live && live.getAttribute("data-live") === "on" && window.EventSource) {
    var url = base + "/events" + (watch ? "?watch=" + encodeURIComponent(watch) : "");
    var source = new EventSource(url);
    source.addEventListener("hello", function () { setStatus("on", "live"); });
    source.addEventListener("change", schedule);
    source.onerror = function () { setStatus("off", "reconnecting"); };
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden && stale) { stale = false; schedule(); }
    });
    pollIfRunning();
  } else {
    setStatus("paused", "");
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });
})();
