// 全选: a checkbox with data-check-all="FORM_ID" checks every item box of that form.
document.addEventListener("change", function (event) {
  var all = event.target.closest("[data-check-all]");
  if (!all) return;
  var form = document.getElementById(all.getAttribute("data-check-all"));
  if (!form) return;
  form.querySelectorAll('input[type="checkbox"][name="item"]').forEach(function (box) {
    box.checked = all.checked;
  });
  document.querySelectorAll('input[type="checkbox"][name="item"][form="' + form.id + '"]')
    .forEach(function (box) { box.checked = all.checked; });
});
