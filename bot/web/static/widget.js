/* Vigie's chat widget, on our socket.io channel (bot/channels/web.py).
 *
 * Everything the user or the bot wrote is put in the page with textContent,
 * never as HTML. The server names the conversation: the widget only keeps the
 * signed token it received (sessionStorage, this tab only) to get the same
 * conversation back after a reconnection or a reload.
 */
(function () {
  "use strict";

  var TOKEN_KEY = "vigie.token";
  var HISTORY_KEY = "vigie.history";
  var MAX_HISTORY = 200;

  var el = {
    log: document.getElementById("log"),
    form: document.getElementById("composer"),
    input: document.getElementById("message"),
    send: document.getElementById("send"),
    choices: document.getElementById("choices"),
    typing: document.getElementById("typing"),
    connection: document.getElementById("connection"),
    notice: document.getElementById("notice"),
    restart: document.getElementById("new-conversation"),
    goBack: document.getElementById("go-back"),
    starters: document.querySelectorAll(".starters button")
  };
  var history = loadHistory();
  var pendingTurns = 0;
  var socket = null;

  // --- storage -------------------------------------------------------------------

  function storage() {
    try { return window.sessionStorage; } catch (e) { return null; }
  }

  function token() {
    var s = storage();
    return s ? s.getItem(TOKEN_KEY) : null;
  }

  function saveToken(value) {
    var s = storage();
    if (!s) return;
    if (value) s.setItem(TOKEN_KEY, value); else s.removeItem(TOKEN_KEY);
  }

  function loadHistory() {
    var s = storage();
    try {
      var items = JSON.parse((s && s.getItem(HISTORY_KEY)) || "[]");
      return Array.isArray(items) ? items : [];
    } catch (e) {
      return [];
    }
  }

  function remember(entry) {
    history.push(entry);
    if (history.length > MAX_HISTORY) history = history.slice(-MAX_HISTORY);
    var s = storage();
    if (s) s.setItem(HISTORY_KEY, JSON.stringify(history));
  }

  function forgetConversation() {
    history = [];
    var s = storage();
    if (s) s.removeItem(HISTORY_KEY);
    el.log.textContent = "";
    showChoices([]);
    setGoBack();
  }

  // --- rendering -------------------------------------------------------------------

  function node(tag, className, text) {
    var n = document.createElement(tag);
    if (className) n.className = className;
    if (text !== undefined && text !== null) n.textContent = String(text);
    return n;
  }

  // Bot text with its web addresses as links (the receipt's); still text nodes, never HTML.
  var URL_PATTERN = /https?:\/\/[^\s<>"]+[^\s<>".,;:!?)»]/g;

  function linked(tag, className, text) {
    var n = node(tag, className);
    var value = String(text === undefined || text === null ? "" : text);
    var last = 0;
    value.replace(URL_PATTERN, function (url, offset) {
      n.appendChild(document.createTextNode(value.slice(last, offset)));
      n.appendChild(link(url));
      last = offset + url.length;
      return url;
    });
    n.appendChild(document.createTextNode(value.slice(last)));
    return n;
  }

  // The receipt's signed links are long: they are shown by what they open.
  function linkText(url) {
    if (/\/recu\/[^?#]+\.pdf(\?|#|$)/.test(url)) return "Télécharger le récépissé (PDF)";
    if (/\/recu\/[^?#]+(\?|#|$)/.test(url)) return "Ouvrir le récépissé";
    return url;
  }

  function link(url) {
    var a = node("a", null, linkText(url));
    a.href = url;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    a.appendChild(node("span", "visually-hidden", " (nouvelle fenêtre)"));
    return a;
  }

  function speaker(name) {
    return node("span", "visually-hidden", name + " : ");
  }

  function addToLog(item) {
    el.log.appendChild(item);
    reveal();
  }

  // --- keeping the newest message in sight ------------------------------------------

  // The newest message, the answer buttons and "Vigie écrit…" are scrolled into view above the
  // composer, which stays fixed at the bottom of the screen and would otherwise hide them.
  var MARGIN = 12;
  var revealPending = false;

  function reducedMotion() {
    return !!(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
  }

  function lowestBottom() {
    var last = el.log.lastElementChild;
    var parts = [last, el.choices.hidden ? null : el.choices, el.typing.hidden ? null : el.typing];
    return parts.reduce(function (lowest, part) {
      return part ? Math.max(lowest, part.getBoundingClientRect().bottom) : lowest;
    }, -Infinity);
  }

  function revealNow() {
    revealPending = false;
    var bottom = lowestBottom();
    if (bottom === -Infinity) return;
    var limit = el.form.getBoundingClientRect().top - MARGIN;
    if (bottom > limit) {
      window.scrollBy({ top: bottom - limit, left: 0, behavior: reducedMotion() ? "auto" : "smooth" });
    }
  }

  function reveal() {
    if (revealPending) return;
    revealPending = true;
    window.requestAnimationFrame(revealNow);
  }

  function renderUser(text) {
    var item = node("li", "msg user");
    item.appendChild(speaker("Vous"));
    item.appendChild(document.createTextNode(text));
    addToLog(item);
  }

  function renderError(text) {
    var item = node("li", "msg error");
    item.setAttribute("role", "alert");
    item.appendChild(speaker("Vigie"));
    item.appendChild(document.createTextNode(text));
    addToLog(item);
  }

  // "Label : value" lines (short labels) become a definition list; other lines a bullet list.
  var MAX_LABEL = 50;

  function renderItems(items, container) {
    var pairs = items.every(function (text) {
      var cut = text.indexOf(" : ");
      return cut > 0 && cut <= MAX_LABEL && text.slice(0, cut).indexOf(" — ") < 0;
    });
    if (pairs) {
      var dl = node("dl");
      items.forEach(function (text) {
        var cut = text.indexOf(" : ");
        dl.appendChild(node("dt", null, text.slice(0, cut)));
        dl.appendChild(linked("dd", null, text.slice(cut + 3)));
      });
      container.appendChild(dl);
      return;
    }
    var ul = node("ul");
    items.forEach(function (text) { ul.appendChild(linked("li", null, text)); });
    container.appendChild(ul);
  }

  function renderBlocks(blocks, container, headingTag) {
    (blocks || []).forEach(function (block) {
      if (block.items) {
        if (block.title) container.appendChild(node(headingTag || "p", headingTag ? null : "block-title", block.title));
        renderItems(block.items, container);
      } else {
        container.appendChild(linked("p", null, block.text));
      }
    });
  }

  function renderSummary(message, item) {
    item.classList.add("card", "summary");
    item.appendChild(node("h3", null, "Récapitulatif de votre déclaration"));
    renderBlocks(message.blocks, item, "h4");
  }

  function renderReceipt(message, item) {
    item.classList.add("card", "receipt");
    item.appendChild(node("h3", null, "Déclaration enregistrée"));
    var box = node("p", "reference");
    box.appendChild(node("span", null, "Référence :"));
    box.appendChild(node("strong", "value", message.reference));
    var copy = node("button", "secondary", "Copier la référence");
    copy.type = "button";
    copy.setAttribute("aria-label", "Copier la référence " + message.reference);
    copy.addEventListener("click", function () { copyText(message.reference, copy); });
    box.appendChild(copy);
    item.appendChild(box);
    renderBlocks(message.blocks, item, "h4");
  }

  function renderBot(message) {
    var item = node("li", "msg bot");
    item.appendChild(speaker("Vigie"));
    if (message.kind === "summary") renderSummary(message, item);
    else if (message.kind === "receipt" && message.reference) renderReceipt(message, item);
    else renderBlocks(message.blocks || [{ text: message.text }], item);
    addToLog(item);
  }

  function render(entry) {
    if (entry.from === "user") renderUser(entry.text);
    else if (entry.from === "error") renderError(entry.text);
    else renderBot(entry.message);
  }

  function showChoices(buttons) {
    el.choices.textContent = "";
    el.choices.hidden = buttons.length === 0;
    buttons.forEach(function (choice) {
      var button = node("button", null, choice.title);
      button.type = "button";
      button.addEventListener("click", function () { send(choice.payload, choice.title); });
      el.choices.appendChild(button);
    });
    reveal();
  }

  function announce(text) {
    el.notice.textContent = "";
    window.setTimeout(function () { el.notice.textContent = text; }, 50);
  }

  function copyText(text, button) {
    var done = function () {
      announce("Référence " + text + " copiée.");
      button.textContent = "Référence copiée ✓";
      window.setTimeout(function () { button.textContent = "Copier la référence"; }, 4000);
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(done, function () { selectReference(); });
    } else {
      selectReference();
    }
  }

  function selectReference() {
    var values = el.log.querySelectorAll(".reference .value");
    if (!values.length) return;
    var range = document.createRange();
    range.selectNodeContents(values[values.length - 1]);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    announce("La référence est sélectionnée : copiez-la avec Ctrl + C.");
  }

  function setTyping() {
    el.typing.hidden = pendingTurns === 0;
    reveal();
  }

  function setGoBack() {
    el.goBack.hidden = !history.some(function (entry) { return entry.from === "user"; });
  }

  function setConnection(text, ok) {
    el.connection.textContent = text;
    el.connection.classList.toggle("ok", !!ok);
  }

  // --- talking to the server -----------------------------------------------------------

  function send(text, shown) {
    var message = String(text || "").trim();
    if (!message) return false;
    if (!socket || !socket.connected) {
      setConnection("Pas de connexion au serveur : votre message n'est pas envoyé. Nouvel essai en cours…");
      return false;
    }
    var visible = shown || message;
    remember({ from: "user", text: visible });
    renderUser(visible);
    setGoBack();
    showChoices([]);
    pendingTurns += 1;
    setTyping();
    socket.emit("user_uttered", { message: message });
    el.input.focus();
    return true;
  }

  function onBotMessage(message) {
    if (!message || typeof message !== "object") return;
    remember({ from: "bot", message: message });
    renderBot(message);
    showChoices(Array.isArray(message.buttons) ? message.buttons : []);
  }

  function onTurnEnd() {
    pendingTurns = Math.max(0, pendingTurns - 1);
    setTyping();
  }

  function onError(error) {
    var text = (error && error.error) || "Une erreur est survenue. Réessayez.";
    remember({ from: "error", text: text });
    renderError(text);
    if (error && error.event === "user_uttered") onTurnEnd();
  }

  function onSessionConfirm(data) {
    if (!data || !data.token) return;
    var known = token();
    saveToken(data.token);
    if (!data.restored && known) forgetConversation();
    setConnection("Connecté.", true);
  }

  function onConnectError(error) {
    var code = error && error.data && error.data.code;
    if (code === "bad_token") {
      saveToken(null);
      forgetConversation();
      renderError("Votre conversation précédente a expiré : une nouvelle commence.");
      socket.connect();
      return;
    }
    if (code === "origin") {
      setConnection("Cette page n'est pas autorisée à joindre Vigie. Prévenez le service informatique.");
      return;
    }
    setConnection("Connexion au serveur impossible pour le moment. Nouvel essai en cours…");
  }

  function connect(url) {
    socket = window.io(url || undefined, {
      path: "/socket.io",
      transports: ["websocket", "polling"],
      auth: function (callback) {
        var current = token();
        callback(current ? { token: current } : {});
      }
    });
    socket.on("connect", function () { socket.emit("session_request", {}); });
    socket.on("session_confirm", onSessionConfirm);
    socket.on("bot_uttered", onBotMessage);
    socket.on("turn_end", onTurnEnd);
    socket.on("vigie_error", onError);
    socket.on("connect_error", onConnectError);
    socket.on("disconnect", function (reason) {
      pendingTurns = 0;
      setTyping();
      setConnection("Connexion perdue. Reconnexion en cours, votre conversation est conservée…");
      if (reason === "io server disconnect") socket.connect();
    });
  }

  function newConversation() {
    var inProgress = history.some(function (entry) { return entry.from === "user"; }) &&
      !history.some(function (entry) { return entry.message && entry.message.kind === "receipt"; });
    if (inProgress && !window.confirm("Commencer une nouvelle déclaration ? Ce qui n'a pas été envoyé dans la conversation en cours sera abandonné.")) {
      return;
    }
    forgetConversation();
    if (socket && socket.connected) socket.emit("session_request", { "new": true });
    else saveToken(null);
    announce("Nouvelle conversation.");
    el.input.focus();
  }

  // --- wiring ---------------------------------------------------------------------------

  el.form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (send(el.input.value)) el.input.value = "";
  });
  el.input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      if (send(el.input.value)) el.input.value = "";
    }
  });
  el.restart.addEventListener("click", newConversation);
  el.goBack.addEventListener("click", function () { send("/go_back", "Revenir à la question précédente"); });
  window.addEventListener("resize", reveal);
  Array.prototype.forEach.call(el.starters, function (button) {
    button.addEventListener("click", function () { send(button.getAttribute("data-text"), button.textContent); });
  });

  history.forEach(render);
  setGoBack();
  var last = history[history.length - 1];
  if (last && last.message && Array.isArray(last.message.buttons)) showChoices(last.message.buttons);

  if (typeof window.io !== "function") {
    setConnection("Le module de discussion n'est pas installé sur ce serveur (make widget).");
    el.send.disabled = true;
    return;
  }
  connect(document.querySelector('meta[name="vigie-chat-url"]').getAttribute("content"));
})();
