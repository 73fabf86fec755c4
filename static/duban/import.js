// Import pages: poll the parse progress; select or clear all items of a document.
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
  document.querySelectorAll("input.toggle-all").forEach(function (toggle) {
    toggle.addEventListener("change", function () {
      document.querySelectorAll('input[name^="include-"][data-document="' + toggle.dataset.document + '"]')
        .forEach(function (box) { box.checked = toggle.checked; });
    });
  });
  var bulkDate = document.getElementById("bulk-date-apply");
  if (bulkDate) {
    bulkDate.addEventListener("click", function () {
      var value = document.getElementById("bulk-date-value").value;
      document.querySelectorAll('input[name^="include-"]:checked').forEach(function (box) {
        var due = document.querySelector('input[name="due-' + box.name.slice(8) + '"]');
        if (due) { due.value = value; }
      });
    });
  }
  var accept = document.getElementById("accept-suggestions");
  if (accept) {
    accept.addEventListener("click", function () {
      document.querySelectorAll("select[data-suggestion]").forEach(function (select) {
        if (select.dataset.suggestion && !select.value) { select.value = select.dataset.suggestion; }
      });
    });
  }
})();
