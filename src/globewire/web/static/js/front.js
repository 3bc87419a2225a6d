/* globewire: a story or article picture the image proxy could not fetch is removed with its frame (the
 * page is complete without it). No third-party request is ever made: pictures come from this server's /img. */
(function () {
  "use strict";
  function drop(img) {
    var card = img.closest(".card");
    var box = img.closest(".thumb, .lead-figure");
    (box || img).remove();
    if (card) card.classList.remove("with-img");
  }
  document.addEventListener("error", function (ev) {
    var t = ev.target;
    if (t && t.tagName === "IMG") drop(t);
  }, true);
  document.querySelectorAll("img").forEach(function (img) {
    if (img.complete && img.naturalWidth === 0 && img.getAttribute("src")) drop(img);
  });
})();
