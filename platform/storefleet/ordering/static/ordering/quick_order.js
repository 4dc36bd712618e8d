// Quick order's SKU field as an ARIA combobox: as the buyer types, products of this store
// (with their company's price and a stock hint) are offered from the suggestions endpoint.
// Down/Up move through them, Enter picks one, Escape closes the list (a second Escape clears
// the field). Without this script the field is a plain text input and the form still posts.
(function () {
  "use strict";
  var DELAY_MS = 150;
  var MIN_CHARS = 2;

  function setUp(input) {
    var list = document.getElementById(input.getAttribute("aria-controls"));
    var status = document.getElementById("quick-add-status");
    var none = document.getElementById("quick-add-none");
    var url = input.dataset.suggestUrl;
    if (!list || !url) return;
    var options = [];
    var active = -1;
    var timer = null;
    var pending = null;
    var shownFor = null;

    function say(text) { if (status) status.textContent = text; }

    function close() {
      list.hidden = true;
      if (none) none.hidden = true;
      input.setAttribute("aria-expanded", "false");
      highlight(-1);
    }

    function highlight(index) {
      options.forEach(function (option, i) {
        option.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      active = index;
      if (index < 0) { input.removeAttribute("aria-activedescendant"); return; }
      input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    }

    function pick(index) {
      var option = options[index];
      if (!option) return;
      input.value = option.dataset.sku;
      shownFor = input.value;
      close();
      say(option.dataset.sku + " " + option.dataset.name);
    }

    function row(className, text) {
      var span = document.createElement("span");
      span.className = className;
      span.textContent = text;
      return span;
    }

    // Built with textContent only: names come from the ERP and are never parsed as HTML.
    function show(query, suggestions) {
      list.replaceChildren();
      options = suggestions.map(function (s, i) {
        var li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.className = "combobox__option";
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.dataset.sku = s.sku;
        li.dataset.name = s.name;
        li.appendChild(row("combobox__sku", s.sku));
        li.appendChild(row("combobox__name", s.name));
        var hint = [s.price, s.availability].filter(Boolean).join(" · ");
        if (hint) li.appendChild(row("combobox__hint", hint));
        // mousedown, not click: the input keeps focus (no blur closes the list first).
        li.addEventListener("mousedown", function (event) { event.preventDefault(); pick(i); });
        list.appendChild(li);
        return li;
      });
      shownFor = query;
      active = -1;
      if (!options.length) {  // said beside the list: a listbox holds options only
        close();
        if (none) none.hidden = false;
        say(none ? none.textContent : "");
        return;
      }
      if (none) none.hidden = true;
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      say(options.length + " " + (list.dataset.found || "products found"));
    }

    function fetchFor(query) {
      if (pending) pending.abort();
      pending = new AbortController();
      fetch(url + "?q=" + encodeURIComponent(query), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        signal: pending.signal,
      })
        .then(function (response) {
          return response.json().then(function (body) { return { ok: response.ok, body: body }; });
        })
        .then(function (answer) {
          if (input.value.trim() !== query) return;  // typed on meanwhile
          if (!answer.ok) { close(); say(answer.body.error || ""); return; }
          show(query, answer.body.suggestions || []);
        })
        .catch(function () { /* aborted or offline: the plain field still works */ });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      var query = input.value.trim();
      if (query.length < MIN_CHARS) { close(); return; }
      timer = setTimeout(function () { fetchFor(query); }, DELAY_MS);
    });

    input.addEventListener("keydown", function (event) {
      var open = !list.hidden && options.length > 0;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (list.hidden) {
          if (shownFor === input.value.trim() && options.length) {
            list.hidden = false;
            input.setAttribute("aria-expanded", "true");
          } else if (input.value.trim().length >= MIN_CHARS) {
            fetchFor(input.value.trim());
          }
          event.preventDefault();
          return;
        }
        if (!options.length) return;
        event.preventDefault();
        var step = event.key === "ArrowDown" ? 1 : -1;
        highlight((active + step + options.length) % options.length);
      } else if (event.key === "Enter") {
        if (open && active >= 0) { event.preventDefault(); pick(active); }
      } else if (event.key === "Escape") {
        if (!list.hidden) { event.preventDefault(); close(); }
        else if (input.value) { event.preventDefault(); input.value = ""; }
      } else if (event.key === "Tab") {
        close();
      }
    });

    input.addEventListener("blur", close);
  }

  document.querySelectorAll("input[role=combobox][data-suggest-url]").forEach(setUp);
})();
