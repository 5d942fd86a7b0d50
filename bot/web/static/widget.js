/* Vigie's chat widget, on our socket.io channel (bot/channels/web.py).
 *
 * Everything the user or the bot wrote is put in the page with textContent,
 * never as HTML. The server names the conversation: the widget only keeps the
 * signed token it received (sessionStorage) to get the same conversation back
 * after a reconnection or a reload. Tabs of this browser that are open at the
 * same time share it through a BroadcastChannel; nothing outlives the tabs.
 *
 * What the user typed is kept as the server echoes it (user_echo): with patient
 * identifiers masked. That is what the page stores and what the downloaded
 * transcript holds.
 */
(function () {
  "use strict";

  var TOKEN_KEY = "vigie.token";
  var HISTORY_KEY = "vigie.history";
  var MAX_HISTORY = 200;
  var ADOPT_WAIT_MS = 300;
  var GO_BACK = { payload: "/go_back", title: "Revenir à la question précédente" };

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
    download: document.getElementById("download"),
    attach: document.getElementById("attach"),
    attachInput: document.getElementById("attach-input"),
    starters: document.querySelectorAll(".starters button")
  };
  var history = loadHistory();
  var pendingTurns = 0;
  var socket = null;
  var tabs = typeof window.BroadcastChannel === "function" ? new window.BroadcastChannel("vigie") : null;
  var keyboardUser = false;
  var shown = typeof WeakMap === "function" ? new WeakMap() : null;  // a user entry -> its message in the log

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

  function saveHistory() {
    var s = storage();
    if (s) s.setItem(HISTORY_KEY, JSON.stringify(history));
  }

  function remember(entry) {
    entry.at = entry.at || Date.now();
    history.push(entry);
    if (history.length > MAX_HISTORY) history = history.slice(-MAX_HISTORY);
    saveHistory();
    return entry;
  }

  function forgetConversation() {
    history = [];
    var s = storage();
    if (s) s.removeItem(HISTORY_KEY);
    el.log.textContent = "";
    showChoices([]);
    setFooterActions();
  }

  function replaceConversation(items) {
    history = Array.isArray(items) ? items.slice(-MAX_HISTORY) : [];
    saveHistory();
    el.log.textContent = "";
    history.forEach(render);
    showLastChoices();
    setFooterActions();
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

  function clock(at) {
    var date = new Date(at || Date.now());
    return date.toLocaleTimeString("fr-FR", { hour: "2-digit", minute: "2-digit" });
  }

  function dateAndClock(at) {
    var date = new Date(at || Date.now());
    return date.toLocaleDateString("fr-FR") + " " + clock(at);
  }

  function stamp(at) {
    var time = node("time", "stamp", clock(at));
    time.dateTime = new Date(at || Date.now()).toISOString();
    return time;
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

  function renderUser(entry) {
    var item = node("li", "msg user");
    item.appendChild(speaker("Vous"));
    item.appendChild(node("span", "text", entry.text));
    item.appendChild(stamp(entry.at));
    if (shown) shown.set(entry, item);
    addToLog(item);
  }

  function renderError(entry) {
    var item = node("li", "msg error");
    item.setAttribute("role", "alert");
    item.appendChild(speaker("Vigie"));
    item.appendChild(document.createTextNode(entry.text));
    item.appendChild(stamp(entry.at));
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

  function renderBot(entry) {
    var message = entry.message;
    var item = node("li", "msg bot");
    item.appendChild(speaker("Vigie"));
    if (message.kind === "summary") renderSummary(message, item);
    else if (message.kind === "receipt" && message.reference) renderReceipt(message, item);
    else renderBlocks(message.blocks || [{ text: message.text }], item);
    item.appendChild(stamp(entry.at));
    addToLog(item);
  }

  function render(entry) {
    if (entry.from === "user") renderUser(entry);
    else if (entry.from === "error") renderError(entry);
    else if (entry.from === "note") renderNote(entry);
    else renderBot(entry);
  }

  // Vigie's words written by the page itself (a file added): not part of the chat server's turn.
  function renderNote(entry) {
    var item = node("li", "msg bot note");
    item.appendChild(speaker("Vigie"));
    item.appendChild(node("p", null, entry.text));
    item.appendChild(stamp(entry.at));
    addToLog(item);
  }

  // A keyboard user who just sent a message finds the proposed answers next in the Tab order:
  // the focus moves to the first one, Tab goes through them and on to the message box, and
  // typing a letter on one of them writes it in the message box.
  function showChoices(buttons) {
    var focusFirst = keyboardUser && document.activeElement === el.input && !el.input.value;
    el.choices.textContent = "";
    el.choices.hidden = buttons.length === 0;
    buttons.forEach(function (choice) {
      var button = node("button", null, choice.title);
      button.type = "button";
      button.addEventListener("click", function () { send(choice.payload, choice.title); });
      el.choices.appendChild(button);
    });
    if (focusFirst && buttons.length) el.choices.firstElementChild.focus();
    reveal();
  }

  // The buttons of the last question, unless it was answered (a file joined answers nothing).
  function lastButtons() {
    for (var i = history.length - 1; i >= 0; i -= 1) {
      if (history[i].from === "bot") return Array.isArray(history[i].message.buttons) ? history[i].message.buttons : [];
      if (history[i].from === "user" && !history[i].file) return [];
    }
    return [];
  }

  function showLastChoices() {
    showChoices(lastButtons());
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

  function sent() {
    return history.some(function (entry) { return entry.from === "user"; });
  }

  function sentDeclaration() {
    return history.some(function (entry) { return entry.message && entry.message.kind === "receipt"; });
  }

  // Going back makes sense while a declaration is being made, not once it has been sent.
  function setFooterActions() {
    el.goBack.hidden = !sent() || sentDeclaration();
    el.download.hidden = history.length === 0;
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
    var entry = remember({ from: "user", text: shown || message, button: !!shown, pending: true });
    renderUser(entry);
    setFooterActions();
    showChoices([]);
    pendingTurns += 1;
    setTyping();
    socket.emit("user_uttered", { message: message });
    el.input.focus();
    return true;
  }

  function onBotMessage(message) {
    if (!message || typeof message !== "object") return;
    renderBot(remember({ from: "bot", message: message }));
    showChoices(Array.isArray(message.buttons) ? message.buttons : []);
    setFooterActions();
  }

  function oldestPending() {
    for (var i = 0; i < history.length; i += 1) if (history[i].pending) return history[i];
    return null;
  }

  // The server's copy of a message: this tab's own (identifiers masked), or another tab's.
  function onUserEcho(data) {
    if (!data || typeof data.text !== "string") return;
    var mine = oldestPending();
    if (mine) {
      delete mine.pending;
      if (!mine.button && mine.text !== data.text) {
        mine.text = data.text;
        var item = shown && shown.get(mine);
        if (item) item.querySelector(".text").textContent = data.text;
      }
      saveHistory();
      return;
    }
    var choice = lastButtons().concat([GO_BACK]).filter(function (b) { return b.payload === data.text; })[0];
    renderUser(remember({ from: "user", text: choice ? choice.title : data.text, button: !!choice }));
    showChoices([]);
    setFooterActions();
  }

  function onTurnEnd() {
    pendingTurns = Math.max(0, pendingTurns - 1);
    var unheard = oldestPending();
    if (unheard) {  // refused before reaching the conversation: it was not kept
      delete unheard.pending;
      unheard.unheard = true;
      saveHistory();
    }
    setTyping();
  }

  function onError(error) {
    var text = (error && error.error) || "Une erreur est survenue. Réessayez.";
    renderError(remember({ from: "error", text: text }));
    if (error && error.event === "user_uttered") onTurnEnd();
  }

  function onSessionConfirm(data) {
    if (!data || !data.token) return;
    var known = token();
    saveToken(data.token);
    if (!data.restored && known) {
      forgetConversation();
      if (tabs) tabs.postMessage({ type: "state", token: data.token, history: [], previous: known });
    }
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
    if (code === "too_many") {  // the server refused this socket: it does not retry by itself
      setConnection((error && error.message) || "Trop de conversations ouvertes : nouvel essai dans 30 secondes.");
      window.setTimeout(function () { socket.connect(); }, 30000);
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
    socket.on("user_echo", onUserEcho);
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
    var inProgress = sent() && !sentDeclaration();
    if (inProgress && !window.confirm("Commencer une nouvelle déclaration ? Ce qui n'a pas été envoyé dans la conversation en cours sera abandonné.")) {
      return;
    }
    forgetConversation();
    if (socket && socket.connected) socket.emit("session_request", { "new": true });
    else saveToken(null);
    announce("Nouvelle conversation.");
    el.input.focus();
  }

  // --- files added to the declaration ---------------------------------------------------

  var MAX_FILE_BYTES = 10 * 1024 * 1024;

  function say(from, text, file) {
    render(remember({ from: from, text: text, file: !!file }));
    setFooterActions();
  }

  function uploadFile(file) {
    if (file.size > MAX_FILE_BYTES) {
      say("error", "« " + file.name + " » dépasse 10 Mo : la limite est de 10 Mo par fichier. Il n'a pas été ajouté.");
      return;
    }
    var current = token();
    if (!current) {
      say("error", "La connexion n'est pas encore établie : ajoutez le fichier dans un instant.");
      return;
    }
    var form = new FormData();
    form.append("fichier", file, file.name);
    announce("Envoi de « " + file.name + " »…");
    fetch("/pieces-jointes", { method: "POST", headers: { Authorization: "Bearer " + current }, body: form })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body || {} }; });
      })
      .then(function (result) {
        if (!result.ok) {
          say("error", "« " + file.name + " » n'a pas été ajouté. " + (result.body.error || "Le serveur n'a pas pu le garder : réessayez."));
          return;
        }
        say("user", "Fichier joint : " + result.body.label, true);
        say("note", result.body.reference
          ? "Fichier ajouté à la déclaration " + result.body.reference + " : il est transmis à CERT Santé et à l'ARS."
          : "Fichier ajouté : il sera transmis avec votre déclaration, quand vous l'enverrez.");
      }, function () {
        say("error", "« " + file.name + " » n'a pas pu être envoyé : la connexion a échoué. Réessayez.");
      });
  }

  // --- the transcript --------------------------------------------------------------------

  function transcriptLine(entry) {
    var when = "[" + dateAndClock(entry.at) + "] ";
    if (entry.from === "user") return when + "Vous : " + (entry.pending || entry.unheard ? "(message non transmis à Vigie)" : entry.text);
    if (entry.from === "error") return when + "Vigie (erreur) : " + entry.text;
    if (entry.from === "note") return when + "Vigie : " + entry.text;
    var message = entry.message;
    var line = when + "Vigie : " + message.text;
    var buttons = Array.isArray(message.buttons) ? message.buttons : [];
    if (buttons.length) line += "\n    Réponses proposées : " + buttons.map(function (b) { return b.title; }).join(" · ");
    return line;
  }

  function transcript() {
    var now = Date.now();
    var head = "Conversation avec Vigie, téléchargée le " + new Date(now).toLocaleDateString("fr-FR") + " à " + clock(now) + ".\n" +
      "Les numéros et noms de patients y sont masqués, comme dans la conversation enregistrée.";
    return [head].concat(history.map(transcriptLine)).join("\n\n") + "\n";
  }

  function downloadTranscript() {
    var blob = new Blob(["\ufeff" + transcript()], { type: "text/plain;charset=utf-8" });
    var stampText = new Date().toISOString().slice(0, 16).replace(/[-:]/g, "").replace("T", "-");
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = "vigie-conversation-" + stampText + ".txt";
    document.body.appendChild(a);
    a.click();
    a.remove();
    window.setTimeout(function () { URL.revokeObjectURL(a.href); }, 10000);
    announce("La conversation est téléchargée.");
  }

  // --- tabs of this browser share the conversation -------------------------------------------

  function onTabMessage(event) {
    var data = event.data || {};
    if (data.type === "hello" && token()) {
      tabs.postMessage({ type: "state", token: token(), history: history });
    } else if (data.type === "state" && typeof data.token === "string") {
      adopt(data);
    }
  }

  // A tab without a conversation takes the one the other tabs have; a new conversation started
  // in another tab replaces the one it replaced, never a different one.
  function adopt(state) {
    var current = token();
    if (current === state.token) return;
    if (current && current !== state.previous) return;
    saveToken(state.token);
    replaceConversation(state.history);
    if (socket) {
      socket.disconnect();
      socket.connect();
    } else {
      start();
    }
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
  el.goBack.addEventListener("click", function () { send(GO_BACK.payload, GO_BACK.title); });
  el.download.addEventListener("click", downloadTranscript);
  el.attach.addEventListener("click", function () { el.attachInput.click(); });
  el.attachInput.addEventListener("change", function () {
    Array.prototype.forEach.call(el.attachInput.files || [], uploadFile);
    el.attachInput.value = "";
  });
  window.addEventListener("resize", reveal);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Tab") keyboardUser = true;
  }, true);
  document.addEventListener("pointerdown", function () { keyboardUser = false; }, true);
  el.choices.addEventListener("keydown", function (event) {
    if (event.key.length === 1 && event.key !== " " && !event.ctrlKey && !event.metaKey && !event.altKey) el.input.focus();
  });
  Array.prototype.forEach.call(el.starters, function (button) {
    button.addEventListener("click", function () { send(button.getAttribute("data-text"), button.textContent); });
  });

  // In the embeddable widget's panel (/static/embed.js): the host page learns that Vigie may be
  // shown there (its frame-ancestors allowed it) and closes the panel on Escape. Nothing else is said.
  if (window.parent !== window) {
    window.parent.postMessage({ vigie: "ready" }, "*");
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") window.parent.postMessage({ vigie: "close" }, "*");
    });
  }

  history.forEach(render);
  showLastChoices();
  setFooterActions();

  function start() {
    if (socket) return;
    if (typeof window.io !== "function") {
      setConnection("Le module de discussion n'est pas installé sur ce serveur (make widget).");
      el.send.disabled = true;
      return;
    }
    connect(document.querySelector('meta[name="vigie-chat-url"]').getAttribute("content"));
  }

  if (tabs) tabs.onmessage = onTabMessage;
  if (tabs && !token()) {
    tabs.postMessage({ type: "hello" });
    window.setTimeout(start, ADOPT_WAIT_MS);
  } else {
    start();
  }
})();
