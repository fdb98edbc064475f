/* Keeps a part of a page live: every element with data-poll-url and data-poll-seconds is replaced, every N
 * seconds, by what that URL (same origin) answers — the roll call of an emergency, for one.
 *
 * Progressive enhancement: without this script the page refreshes itself (a <noscript> meta refresh). A
 * failed fetch never leaves the page: the old content stays, the status says the connection is lost, and
 * the next try waits longer (up to a minute). Nothing is fetched while the tab is hidden; polling stops for
 * good when the answer carries [data-poll-stop] (an emergency stood down). The content is only rewritten
 * when it changed, and keyboard focus stays on the same control (matched by id or data-focus-key), so a
 * keyboard or screen-reader user is not thrown back to the top every few seconds. The status messages come
 * from the page (data-poll-ok, data-poll-failed on the element named by data-poll-status), so that they are
 * translated with the rest.
 */
(function () {
  "use strict";

  var MAX_DELAY = 60;

  function two(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function clock() {
    var now = new Date();
    return two(now.getHours()) + ":" + two(now.getMinutes()) + ":" + two(now.getSeconds());
  }

  function focusKey(element) {
    var active = document.activeElement;
    if (!active || active === document.body || !element.contains(active)) {
      return null;
    }
    if (active.getAttribute("data-focus-key")) {
      return '[data-focus-key="' + active.getAttribute("data-focus-key") + '"]';
    }
    return active.id ? "#" + active.id : null;
  }

  function watch(element) {
    var url = new URL(element.getAttribute("data-poll-url"), window.location.href);
    var seconds = parseInt(element.getAttribute("data-poll-seconds"), 10);
    if (url.origin !== window.location.origin || !(seconds > 0)) {
      return;
    }
    var status = document.getElementById(element.getAttribute("data-poll-status") || "");
    var delay = seconds;
    var busy = false;
    var stopped = false;
    var timer = null;
    var last = null;
    var failing = false;

    function say(key, suffix) {
      if (status && status.getAttribute(key)) {
        status.textContent = status.getAttribute(key) + (suffix ? " " + suffix : "");
      }
    }

    function again() {
      window.clearTimeout(timer);
      if (!stopped) {
        timer = window.setTimeout(tick, delay * 1000);
      }
    }

    function failed() {
      if (!failing) {
        say("data-poll-failed");
        failing = true;
      }
      delay = Math.min(delay * 2, MAX_DELAY);
      busy = false;
      again();
    }

    function show(html) {
      if (html !== last) {
        var key = focusKey(element);
        element.innerHTML = html;
        last = html;
        if (key) {
          var control = element.querySelector(key);
          if (control) {
            control.focus();
          }
        }
        element.setAttribute("data-poll-updated", clock());
        say("data-poll-ok", clock());
      } else if (failing) {
        say("data-poll-ok", clock());
      }
      failing = false;
      if (element.querySelector("[data-poll-stop]")) {
        stopped = true;
      }
    }

    function tick() {
      if (busy || stopped) {
        return;
      }
      if (document.hidden) {
        return; /* resumed by visibilitychange */
      }
      busy = true;
      fetch(url.href, {
        credentials: "same-origin",
        redirect: "error",
        cache: "no-store",
        headers: { "X-Requested-With": "XMLHttpRequest" }
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(String(response.status));
          }
          return response.text();
        })
        .then(function (html) {
          show(html);
          delay = seconds;
          busy = false;
          again();
        })
        .catch(failed);
    }

    document.addEventListener("visibilitychange", function () {
      if (!document.hidden && !busy && !stopped) {
        tick();
      }
    });
    again();
  }

  if (!window.fetch) {
    return;
  }
  document.querySelectorAll("[data-poll-url][data-poll-seconds]").forEach(watch);
})();
