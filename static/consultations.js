// Light enhancement of the consultation pages; everything works without it.
(function () {
  "use strict";
  // Switching the draft's language keeps the reader's place: add the paragraph at the top of the screen.
  document.querySelectorAll("a[data-keep-place]").forEach(function (link) {
    link.addEventListener("click", function () {
      var here = null;
      document.querySelectorAll("[id^='p-']").forEach(function (p) {
        if (!here && p.getBoundingClientRect().bottom > 0) { here = p.id; }
      });
      if (here) { link.href = link.href.split("#")[0] + "#" + here; }
    });
  });
  // "Quote selection": copy the words selected in the paragraph into the quotation field.
  var source = document.getElementById("paragraph-text");
  var quote = document.getElementById("quote");
  if (source && quote) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "secondary";
    button.textContent = quote.form.getAttribute("data-quote-label") || "Quote selection";
    button.addEventListener("click", function () {
      var text = String(window.getSelection() || "").trim();
      if (text && source.textContent.indexOf(text) !== -1) { quote.value = text; }
      quote.focus();
    });
    quote.parentNode.insertBefore(button, quote.nextSibling);
  }
})();
