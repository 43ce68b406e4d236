// Keyboard shortcuts of the review page: every key submits a form or follows a link
// that the page shows with the key in its data-key (a space-separated list), so the
// keyboard does nothing the mouse could not. Keys typed into a field are left alone.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var target = event.target;
    if (target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) { return; }
    var hit = document.querySelector('[data-key~="' + CSS.escape(event.key) + '"]');
    if (!hit) { return; }
    event.preventDefault();
    if (hit.tagName === "FORM") { hit.requestSubmit(); } else { hit.click(); }
  });
})();
