// Import pages: poll the parse progress (the preview's review is import_review.js).
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (box && box.dataset.status !== "failed") {
    var bar = document.getElementById("import-bar");
    var stage = document.getElementById("import-stage");
    var poll = function () {
      fetch(box.dataset.statusUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (response) { return response.json(); })
        .then(function (job) {
          if (bar) { bar.value = job.progress; bar.textContent = job.progress + "%"; }
          if (stage && job.stage) { stage.textContent = job.stage; }
          if (job.next) { window.location.assign(job.next); return; }
          if (job.status === "failed") { window.location.reload(); return; }
          window.setTimeout(poll, 1000);
        })
        .catch(function () { window.setTimeout(poll, 3000); });
    };
    window.setTimeout(poll, 500);
  }
})();
