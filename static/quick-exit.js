// Quick exit: leave for a neutral site and replace this page in the history, so "Back" does not return here.
(function () {
  var link = document.querySelector("[data-quick-exit]");
  if (!link) return;
  function leave(event) {
    if (event) event.preventDefault();
    document.body.innerHTML = "";
    window.location.replace(link.href);
  }
  link.addEventListener("click", leave);
  // Pressing Escape three times in a row also leaves.
  var count = 0, timer;
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    count += 1;
    clearTimeout(timer);
    timer = setTimeout(function () { count = 0; }, 1500);
    if (count >= 3) leave();
  });
})();
