/* Vigie's embeddable widget: one tag on an intranet page,
 *
 *   <script src="https://vigie.example.fr/static/embed.js" async
 *           data-label="Déclarer un incident de sécurité" data-position="right"></script>
 *
 * puts a launcher button on the page; it opens Vigie's chat (/embed, on Vigie's own origin)
 * in a panel. The button and the panel live in a shadow root, so the host page's CSS cannot
 * change them, and the chat itself in an iframe. Vigie lets itself be framed only by the
 * origins of VIGIE_ALLOWED_ORIGINS: elsewhere the panel says so instead of staying blank.
 * The conversation is the iframe's (its tab storage): it survives the host's page changes,
 * and the panel reopens on the next page if it was open.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || window.__vigieEmbed) return;
  window.__vigieEmbed = true;

  var vigie = new URL(script.src, document.baseURI).origin;
  var label = script.getAttribute("data-label") || "Déclarer un incident de sécurité";
  var left = script.getAttribute("data-position") === "left";
  var OPEN_KEY = "vigie.embed.open";
  var READY_WAIT_MS = 8000;

  var STYLE = [
    ":host { all: initial; }",
    ".launcher, .panel { position: fixed; z-index: 2147483000; font-family: system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif; }",
    ".launcher { bottom: 1rem; right: 1rem; font-size: 1rem; font-weight: 600; background: #1f3f8f; color: #fff;",
    "  border: 2px solid #fff; border-radius: 2rem; padding: .7rem 1.2rem; min-height: 2.75rem; cursor: pointer;",
    "  box-shadow: 0 2px 10px rgba(0, 0, 0, .35); }",
    ".launcher:hover { background: #162d66; }",
    "button:focus-visible { outline: 3px solid #d64d00; outline-offset: 2px; }",
    ".panel { bottom: 4.75rem; right: 1rem; width: min(26rem, calc(100vw - 2rem)); height: min(42rem, calc(100vh - 6rem));",
    "  display: flex; flex-direction: column; background: #fff; border: 1px solid #c5c9d8; border-radius: .6rem;",
    "  box-shadow: 0 4px 24px rgba(0, 0, 0, .3); overflow: hidden; }",
    ".panel[hidden] { display: none; }",
    ".left .launcher, .left .panel { right: auto; left: 1rem; }",
    ".bar { display: flex; align-items: center; justify-content: space-between; gap: .5rem; background: #1f3f8f; color: #fff;",
    "  padding: .3rem .5rem .3rem .9rem; font-size: 1rem; font-weight: 600; margin: 0; }",
    ".close { font: inherit; font-size: 1.3rem; line-height: 1; background: none; color: #fff; border: 2px solid #fff;",
    "  border-radius: .4rem; min-width: 2.75rem; min-height: 2.75rem; cursor: pointer; }",
    "iframe { flex: 1; width: 100%; border: 0; background: #f3f4f8; }",
    ".refused { margin: 1rem; color: #a4161a; font-size: 1rem; line-height: 1.5; }",
    ".refused[hidden] { display: none; }",
    "@media (max-width: 36rem) { .panel, .left .panel { inset: 0; width: 100vw; height: 100vh; border-radius: 0; } }"
  ].join("\n");

  var host = document.createElement("div");
  host.setAttribute("data-vigie", "");
  var root = host.attachShadow({ mode: "open" });
  var wrapper = element("div", left ? "left" : "");
  var launcher = element("button", "launcher", label);
  var panel = element("section", "panel");
  var bar = element("p", "bar");
  var close = element("button", "close", "×");
  var refused = element("p", "refused",
    "Vigie ne peut pas s'ouvrir sur cette page : ce site ne fait pas partie des sites autorisés. " +
    "Prévenez le service informatique, ou ouvrez Vigie directement : " + vigie + "/");
  var frame = null;
  var ready = false;

  function element(tag, className, text) {
    var n = document.createElement(tag);
    if (className) n.className = className;
    if (text) n.textContent = text;
    return n;
  }

  function style() {
    try {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(STYLE);
      root.adoptedStyleSheets = [sheet];
    } catch (e) {
      root.appendChild(element("style", null, STYLE));
    }
  }

  function remembered() {
    try { return window.sessionStorage.getItem(OPEN_KEY) === "1"; } catch (e) { return false; }
  }

  function remember(open) {
    try { window.sessionStorage.setItem(OPEN_KEY, open ? "1" : "0"); } catch (e) { /* private mode */ }
  }

  function loadFrame() {
    frame = document.createElement("iframe");
    frame.title = "Vigie : déclarer un incident de sécurité";
    frame.src = vigie + "/embed";
    frame.referrerPolicy = "no-referrer";
    panel.insertBefore(frame, refused);
    window.setTimeout(function () {
      if (!ready) {
        frame.hidden = true;
        refused.hidden = false;
      }
    }, READY_WAIT_MS);
  }

  function open(focus) {
    if (!frame) loadFrame();
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    remember(true);
    if (focus) frame.focus();
  }

  function shut() {
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    remember(false);
    launcher.focus();
  }

  window.addEventListener("message", function (event) {
    if (!frame || event.origin !== vigie || event.source !== frame.contentWindow) return;
    var data = event.data || {};
    if (data.vigie === "ready") {  // late on a slow network: the refusal was wrong, show the chat
      ready = true;
      frame.hidden = false;
      refused.hidden = true;
    }
    if (data.vigie === "close") shut();
  });

  style();
  launcher.type = "button";
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-controls", "vigie-panel");
  panel.id = "vigie-panel";
  panel.setAttribute("aria-label", "Vigie");
  panel.hidden = true;
  refused.hidden = true;
  refused.setAttribute("role", "alert");
  close.type = "button";
  close.setAttribute("aria-label", "Fermer Vigie");
  bar.appendChild(element("span", null, "Vigie"));
  bar.appendChild(close);
  panel.appendChild(bar);
  panel.appendChild(refused);
  wrapper.appendChild(launcher);
  wrapper.appendChild(panel);
  root.appendChild(wrapper);
  launcher.addEventListener("click", function () { if (panel.hidden) open(true); else shut(); });
  close.addEventListener("click", shut);
  panel.addEventListener("keydown", function (event) { if (event.key === "Escape") shut(); });
  (document.body || document.documentElement).appendChild(host);
  if (remembered()) open(false);
})();
