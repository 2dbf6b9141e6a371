// report.html#view=<id> opens the page at one view (the heading with that id), with what comes
// before it folded away: a link that shows one chart first, and how docs/ takes its screenshots.
(function () {
  'use strict';
  var m = /#view=([\w-]+)/.exec(window.location.hash);
  var target = m && document.getElementById(m[1]);
  if (!target) {
    return;
  }
  for (var e = document.body.firstElementChild; e && e !== target; e = e.nextElementSibling) {
    if (e.tagName !== 'SCRIPT') {
      e.style.display = 'none';
    }
  }
})();
