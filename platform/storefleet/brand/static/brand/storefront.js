// The small-screen menu toggle. Without JavaScript the menu simply stays open.
document.documentElement.classList.add("js");
document.addEventListener("DOMContentLoaded", () => {
  const toggle = document.querySelector(".site-nav__toggle");
  const nav = document.getElementById("site-nav");
  if (!toggle || !nav) return;
  toggle.addEventListener("click", () => {
    const open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    nav.classList.toggle("is-open", open);
  });
});

// Cart quantities are checked by the ERP on every change: submit as soon as the buyer leaves
// the field (the Update button stays for browsers without scripts).
document.querySelectorAll("[data-autosubmit]").forEach(function (input) {
  input.addEventListener("change", function () { input.form.requestSubmit(); });
});
// A form that places an order is sent once: the second click waits for the first.
document.querySelectorAll("form[data-once]").forEach(function (form) {
  form.addEventListener("submit", function (event) {
    if (form.dataset.sent) { event.preventDefault(); return; }
    form.dataset.sent = "1";
    form.querySelectorAll("button[type=submit]").forEach(function (b) { b.setAttribute("aria-busy", "true"); });
  });
});
