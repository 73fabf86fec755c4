// The import preview's review of items: filters, search, paging, selection and bulk actions.
// The rows come from the page (json_script "review-state"); every change is saved at once on
// the server (POST import/<id>/decisions/ with the version it was made on). When someone
// else saved in between, the server answers 409 with the current decisions: the page shows
// them and sends the change again on the new version.
(function () {
  "use strict";
  var node = document.getElementById("review-state");
  if (!node) { return; }
  var state = JSON.parse(node.textContent);
  var L = state.labels;
  var decisions = state.decisions || {};
  var version = state.version;
  var errors = state.errors || {};
  var form = document.getElementById("preview-form");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var versionInput = document.getElementById("decisions-version");
  var statusLine = document.getElementById("review-status");
  var tbody = document.getElementById("review-rows");
  var $ = function (id) { return document.getElementById(id); };
  // Uncertain items first, then in document order.
  var rows = state.rows.slice().sort(function (a, b) {
    return (b.uncertain - a.uncertain) || (a.n - b.n);
  });
  var byKey = {};
  rows.forEach(function (row) { byKey[row.key] = row; });
  var selected = {};
  var page = 0;
  var pageSize = 50;
  var shown = [];

  function fmt(text, values) {
    return text.replace(/\{(\w+)\}/g, function (all, name) {
      return values[name] !== undefined ? values[name] : all;
    });
  }
  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") { e.textContent = attrs[name]; }
      else if (name === "className") { e.className = attrs[name]; }
      else if (attrs[name] === true) { e.setAttribute(name, ""); }
      else if (attrs[name] !== false && attrs[name] !== null && attrs[name] !== undefined) {
        e.setAttribute(name, attrs[name]);
      }
    });
    (children || []).forEach(function (child) { if (child) { e.appendChild(child); } });
    return e;
  }
  function items() { decisions.items = decisions.items || {}; return decisions.items; }
  function choice(row) { return items()[row.key] || {}; }
  function included(row) {
    var c = choice(row);
    return "include" in c ? c.include : !row.was_dropped;
  }
  // A field of a tracked item that differs from the new version shows the office's value
  // while the office keeps it, the new one once it takes it (the merge choice of the row).
  function resolution(row, field) {
    var diff = row.differences.filter(function (x) { return x.field === field; })[0];
    if (!diff) { return "new"; }
    return (choice(row).merge || {})[field] || (diff.edited ? "keep" : "new");
  }
  function base(row, field) {
    var merged = ["lead", "co", "responsible"].indexOf(field) >= 0 ? "owners" : field;
    if (field in row.current && resolution(row, merged) === "keep") { return row.current[field]; }
    return row[field];
  }
  function value(row, field) {
    var c = choice(row);
    if (!(field in c)) { return base(row, field); }
    if (field === "due") { return c.due || ""; }
    return Array.isArray(c[field]) ? c[field].join("、") : c[field];
  }
  function names(text) {
    var out = [];
    text.split(/[、，,；;\n]+/).forEach(function (name) {
      name = name.trim();
      if (name && out.indexOf(name) < 0) { out.push(name); }
    });
    return out;
  }

  // --- saving ----------------------------------------------------------------------------
  function applyLocal(changes) {
    Object.keys(changes.items || {}).forEach(function (key) {
      var c = items()[key] = items()[key] || {};
      var change = changes.items[key];
      Object.keys(change).forEach(function (field) {
        if (field === "merge") { c.merge = Object.assign({}, c.merge || {}, change.merge); }
        else { c[field] = change[field]; }
      });
    });
    (changes.unset || []).forEach(function (pair) {
      if (items()[pair[0]]) { delete items()[pair[0]][pair[1]]; }
    });
    decisions.units = Object.assign(decisions.units || {}, changes.units || {});
    if ("create_units" in changes) { decisions.create_units = changes.create_units; }
    decisions.documents = decisions.documents || {};
    Object.keys(changes.documents || {}).forEach(function (d) {
      decisions.documents[d] = Object.assign(decisions.documents[d] || {}, changes.documents[d]);
    });
    var links = (decisions.links || []).map(function (x) { return x.join("|"); });
    Object.keys(changes.links || {}).forEach(function (joined) {
      var at = links.indexOf(joined);
      if (changes.links[joined] && at < 0) { links.push(joined); }
      if (!changes.links[joined] && at >= 0) { links.splice(at, 1); }
    });
    decisions.links = links.map(function (x) { var i = x.indexOf("|"); return [x.slice(0, i), x.slice(i + 1)]; });
  }
  var queue = Promise.resolve();
  var pending = 0;
  function say(text, isError) {
    statusLine.textContent = text;
    statusLine.className = "small " + (isError ? "error" : "muted");
  }
  function post(changes, retried) {
    return fetch(state.save_url, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json"},
      body: JSON.stringify({version: version, changes: changes})
    }).then(function (response) {
      return response.json().then(function (body) {
        if (response.status === 409 && !retried) {
          // Someone saved in between: take their state, then this change on top of it.
          decisions = body.decisions || {};
          version = body.version;
          applyLocal(changes);
          refreshPageFields();
          render();
          say(L.stale, true);
          return post(changes, true);
        }
        if (!response.ok) { throw new Error(body.error || L.failed); }
        version = body.version;
        versionInput.value = version;
        // "Saved" only once the last queued change is stored (this one is still counted).
        say(pending > 1 ? L.saving : L.saved, false);
        return body;
      });
    });
  }
  function save(changes) {
    applyLocal(changes);
    render();
    pending += 1;
    say(L.saving, false);
    queue = queue.then(function () { return post(changes, false); })
      .catch(function (exc) { say(exc.message || L.failed, true); })
      .then(function () { pending -= 1; });
    return queue;
  }
  form.addEventListener("submit", function (event) {
    if (pending) {  // confirm once every change is stored
      event.preventDefault();
      queue.then(function () { form.submit(); });
    }
  });

  // --- filters ---------------------------------------------------------------------------
  var owners = {};
  rows.forEach(function (row) {
    ["lead", "co", "responsible"].forEach(function (role) {
      names(row[role] || "").forEach(function (name) { owners[name] = (owners[name] || 0) + 1; });
    });
  });
  Object.keys(owners).sort(function (a, b) { return owners[b] - owners[a] || (a < b ? -1 : 1); })
    .forEach(function (name) { $("f-owner").appendChild(el("option", {value: name, text: name + " (" + owners[name] + ")"})); });
  function fillSections() {
    var doc = $("f-doc").value;
    var select = $("f-section");
    var current = select.value;
    while (select.options.length > 1) { select.remove(1); }
    var seen = {};
    rows.slice().sort(function (a, b) { return a.n - b.n; }).forEach(function (row) {
      if ((doc === "" || String(row.doc) === doc) && row.section && !seen[row.section]) {
        seen[row.section] = true;
        select.appendChild(el("option", {value: row.section, text: row.section.length > 40 ? row.section.slice(0, 40) + "…" : row.section}));
      }
    });
    select.value = seen[current] ? current : "";
  }
  function matches(row) {
    var doc = $("f-doc").value, section = $("f-section").value, warning = $("f-warning").value;
    var owner = $("f-owner").value, sure = $("f-uncertain").value;
    var q = $("f-search").value.trim().toLowerCase();
    if (doc !== "" && String(row.doc) !== doc) { return false; }
    if (section && row.section !== section) { return false; }
    if (warning === "any" && !row.warnings.length) { return false; }
    if (warning === "changed" && !row.differences.length) { return false; }
    if (warning === "excluded" && included(row)) { return false; }
    if (warning === "error" && !errors[row.key]) { return false; }
    if (["", "any", "changed", "excluded", "error"].indexOf(warning) < 0 && row.warnings.indexOf(warning) < 0) { return false; }
    if (sure === "uncertain" && !row.uncertain) { return false; }
    if (sure === "certain" && row.uncertain) { return false; }
    var ownerText = [value(row, "lead"), value(row, "co"), value(row, "responsible")].join("、");
    if (owner === "__unlinked__" && !row.unknown.length) { return false; }
    if (owner && owner !== "__unlinked__" && names(ownerText).indexOf(owner) < 0) { return false; }
    if (q) {
      var fields = Object.keys(row.fields).map(function (k) { return row.fields[k]; }).join(" ");
      var hay = [row.ref, row.section, value(row, "text"), ownerText, fields, row.people].join(" ").toLowerCase();
      if (hay.indexOf(q) < 0) { return false; }
    }
    return true;
  }

  // --- rendering -------------------------------------------------------------------------
  function cell(label, children, className) {
    return el("td", {"data-label": label, className: className}, children);
  }
  function renderRow(row) {
    var c = choice(row);
    var on = included(row);
    var tr = el("tr", {"data-key": row.key, className: [on ? "" : "excluded", row.warnings.length ? "warn" : "", errors[row.key] ? "invalid" : "", row.uncertain ? "uncertain" : ""].join(" ").trim()});
    tr.appendChild(el("td", {className: "select"}, [
      el("input", {type: "checkbox", className: "pick", "aria-label": row.ref || row.key, checked: !!selected[row.key]})
    ]));
    var refCell = cell(L.ref, [el("span", {className: "ref", text: row.ref || "—"})], "ref");
    refCell.appendChild(el("label", {className: "include small"}, [
      el("input", {type: "checkbox", className: "include", checked: on}), document.createTextNode(" " + L.include)
    ]));
    if (row.uncertain) {
      refCell.appendChild(el("div", {className: "badge uncertain", text: L.uncertain + " " + Math.round(row.confidence * 100) + "%", title: row.rule}));
    }
    if (row.ocr) { refCell.appendChild(el("div", {className: "warning badge ocr", text: L.ocr})); }
    tr.appendChild(refCell);
    var text = el("textarea", {className: "text", rows: 3, "aria-label": L.text});
    text.value = value(row, "text");
    var textCell = cell(L.text, [text]);
    if (row.section) { textCell.appendChild(el("div", {className: "small muted section", text: row.section})); }
    var fieldNames = Object.keys(row.fields);
    if (fieldNames.length) {
      textCell.appendChild(el("div", {className: "small fields"}, fieldNames.map(function (name) {
        return el("span", {className: "field"}, [el("b", {text: name + "："}), document.createTextNode(row.fields[name])]);
      })));
    }
    if (row.people) { textCell.appendChild(el("div", {className: "small muted", text: L.people + "：" + row.people})); }
    row.namesakes.forEach(function (found) {
      var linked = (decisions.links || []).some(function (x) { return x[0] === row.key && x[1] === found.name; });
      textCell.appendChild(el("label", {className: "small"}, [
        el("input", {type: "checkbox", className: "link", "data-name": found.name, checked: linked}),
        document.createTextNode(" " + fmt(L.link, {name: found.name, account: found.account}))
      ]));
    });
    row.tags.forEach(function (tag) { textCell.appendChild(el("span", {className: "tag", text: tag})); });
    tr.appendChild(textCell);
    var ownerCell = cell(L.fields.owners, []);
    ["lead", "co", "responsible"].forEach(function (role) {
      var input = el("input", {className: "owner", "data-role": role, "aria-label": L.roles[role], placeholder: L.roles[role]});
      input.value = value(row, role);
      ownerCell.appendChild(el("label", {className: "owner small"}, [el("span", {text: L.roles[role]}), input]));
    });
    if (row.unknown.length) {
      ownerCell.appendChild(el("div", {className: "small"}, [el("span", {className: "tag unlinked", text: L.unknown}), document.createTextNode(" " + row.unknown.join("、"))]));
    }
    tr.appendChild(ownerCell);
    var due = el("input", {type: "date", className: "due", "aria-label": L.due});
    due.value = value(row, "due");
    var dueCell = cell(L.due, [due]);
    row.deadlines.forEach(function (label) { dueCell.appendChild(el("div", {className: "small muted", text: label})); });
    tr.appendChild(dueCell);
    var hints = cell(L.hints, []);
    if (errors[row.key]) { hints.appendChild(el("div", {className: "error", text: errors[row.key]})); }
    row.warnings.forEach(function (code) { hints.appendChild(el("div", {className: "warning", text: L.warnings[code] || code})); });
    if (row.match) {
      hints.appendChild(el("div", {className: "update", text: fmt(L.update, {p: row.match.percent, r: row.match.reports})}));
    } else if (row.was_dropped) {
      hints.appendChild(el("div", {className: "warning dropped-before", text: L.dropped_before}));
    }
    if (row.differences.length) {
      var merge = el("div", {className: "merge"}, [el("div", {className: "small", text: L.merge})]);
      row.differences.forEach(function (diff) {
        var picked = (c.merge || {})[diff.field] || (diff.edited ? "keep" : "new");
        var name = "merge-" + row.key + "-" + diff.field;
        merge.appendChild(el("div", {className: "difference", "data-field": diff.field}, [
          el("div", {className: "small"}, [el("b", {text: L.fields[diff.field]}), diff.edited ? el("span", {className: "tag", text: L.edited}) : null]),
          el("div", {className: "small"}, [el("span", {className: "old", text: diff.current}), document.createTextNode(" → "), el("span", {className: "new", text: diff.new})]),
          el("label", {className: "small"}, [el("input", {type: "radio", name: name, value: "keep", className: "merge", "data-field": diff.field, checked: picked === "keep"}), document.createTextNode(" " + L.keep)]),
          el("label", {className: "small"}, [el("input", {type: "radio", name: name, value: "new", className: "merge", "data-field": diff.field, checked: picked === "new"}), document.createTextNode(" " + L.take_new)])
        ]));
      });
      hints.appendChild(merge);
    }
    tr.appendChild(hints);
    return tr;
  }
  function render() {
    shown = rows.filter(matches);
    var pages = Math.max(1, Math.ceil(shown.length / pageSize));
    page = Math.min(page, pages - 1);
    var slice = shown.slice(page * pageSize, (page + 1) * pageSize);
    var body = document.createDocumentFragment();
    slice.forEach(function (row) { body.appendChild(renderRow(row)); });
    if (!slice.length) { body.appendChild(el("tr", {}, [el("td", {colspan: 6, className: "muted", text: L.none})])); }
    tbody.replaceChildren(body);
    $("page-label").textContent = fmt(L.page, {page: page + 1, pages: pages, n: shown.length});
    $("page-prev").disabled = page === 0;
    $("page-next").disabled = page >= pages - 1;
    $("select-page").checked = slice.length > 0 && slice.every(function (row) { return selected[row.key]; });
    var count = Object.keys(selected).length;
    $("selected-count").textContent = fmt(L.selected, {n: count});
    $("included-count").textContent = rows.filter(included).length + " / " + rows.length;
  }

  // --- editing a row -----------------------------------------------------------------------
  tbody.addEventListener("change", function (event) {
    var target = event.target;
    var tr = target.closest("tr[data-key]");
    if (!tr) { return; }
    var row = byKey[tr.dataset.key];
    var key = row.key;
    var change = {};
    if (target.classList.contains("pick")) {
      if (target.checked) { selected[key] = true; } else { delete selected[key]; }
      render();
      return;
    }
    if (target.classList.contains("include")) {
      change[key] = {include: target.checked};
      save({items: change});
    } else if (target.classList.contains("text")) {
      if (target.value.trim() === base(row, "text").trim()) { save({unset: [[key, "text"]]}); }
      else { change[key] = {text: target.value}; save({items: change}); }
    } else if (target.classList.contains("owner")) {
      var role = target.dataset.role;
      var list = names(target.value);
      if (list.join("、") === names(base(row, role) || "").join("、")) { save({unset: [[key, role]]}); }
      else { change[key] = {}; change[key][role] = list; save({items: change}); }
    } else if (target.classList.contains("due")) {
      if (target.value === base(row, "due")) { save({unset: [[key, "due"]]}); }
      else { change[key] = {due: target.value || null}; save({items: change}); }
    } else if (target.classList.contains("merge")) {
      var merge = {};
      merge[target.dataset.field] = target.value;
      change[key] = {merge: merge};
      save({items: change});
    } else if (target.classList.contains("link")) {
      var links = {};
      links[key + "|" + target.dataset.name] = target.checked;
      save({links: links});
    }
  });

  // --- selection and bulk actions ------------------------------------------------------------
  $("select-page").addEventListener("change", function (event) {
    shown.slice(page * pageSize, (page + 1) * pageSize).forEach(function (row) {
      if (event.target.checked) { selected[row.key] = true; } else { delete selected[row.key]; }
    });
    render();
  });
  $("select-filtered").addEventListener("click", function () {
    shown.forEach(function (row) { selected[row.key] = true; });
    render();
  });
  $("select-none").addEventListener("click", function () { selected = {}; render(); });
  function bulk(make) {
    var keys = Object.keys(selected);
    if (!keys.length) { return; }
    var change = {};
    keys.forEach(function (key) { change[key] = make(byKey[key]); });
    save({items: change});
  }
  $("bulk-include").addEventListener("click", function () { bulk(function () { return {include: true}; }); });
  $("bulk-drop").addEventListener("click", function () { bulk(function () { return {include: false}; }); });
  $("bulk-owner").addEventListener("click", function () {
    var role = $("bulk-owner-role").value;
    var list = names($("bulk-owner-value").value);
    bulk(function () { var c = {}; c[role] = list; return c; });
  });
  $("bulk-date-apply").addEventListener("click", function () {
    var day = $("bulk-date-value").value;
    if (day) { bulk(function () { return {due: day}; }); }
  });
  function acceptSuggestions(rowsToUse) {
    var units = {};
    var wanted = {};
    rowsToUse.forEach(function (row) { row.unknown.forEach(function (name) { wanted[name] = true; }); });
    document.querySelectorAll("select[data-unit-key]").forEach(function (select) {
      var name = select.dataset.unitName;
      if (select.dataset.suggestion && !select.value && (rowsToUse === rows || wanted[name])) {
        select.value = select.dataset.suggestion;
        units[select.dataset.unitKey] = select.value;
      }
    });
    if (Object.keys(units).length) { save({units: units}); }
  }
  $("bulk-suggest").addEventListener("click", function () {
    acceptSuggestions(Object.keys(selected).map(function (key) { return byKey[key]; }));
  });
  var acceptAll = $("accept-suggestions");
  if (acceptAll) { acceptAll.addEventListener("click", function () { acceptSuggestions(rows); }); }

  // --- the page-level choices: units, create all, default owners and dates --------------------
  document.querySelectorAll("select[data-unit-key]").forEach(function (select) {
    select.addEventListener("change", function () {
      var units = {};
      units[select.dataset.unitKey] = select.value;
      save({units: units});
    });
  });
  var createAll = $("create-units");
  if (createAll) {
    createAll.addEventListener("change", function () { save({create_units: createAll.checked}); });
  }
  document.querySelectorAll("fieldset.default-due").forEach(function (fieldset) {
    var d = fieldset.dataset.document;
    fieldset.addEventListener("change", function () {
      var picked = fieldset.querySelector("input[type=radio]:checked");
      if (!picked) { return; }
      var due = picked.value;
      if (due === "date") {
        due = fieldset.querySelector("input[type=date]").value;
        if (!due) { return; }
      }
      var documents = {};
      documents[d] = {default_due: due};
      save({documents: documents});
    });
  });
  document.querySelectorAll("input[name^=default_owners-]").forEach(function (box) {
    box.addEventListener("change", function () {
      var documents = {};
      documents[box.dataset.document] = {default_owners: box.checked};
      save({documents: documents});
    });
  });
  function refreshPageFields() {
    document.querySelectorAll("select[data-unit-key]").forEach(function (select) {
      select.value = (decisions.units || {})[select.dataset.unitKey] || "";
    });
    if (createAll) { createAll.checked = !!decisions.create_units; }
    versionInput.value = version;
  }

  // --- filters and paging ---------------------------------------------------------------------
  ["f-doc", "f-section", "f-warning", "f-owner", "f-uncertain"].forEach(function (id) {
    $(id).addEventListener("change", function () {
      if (id === "f-doc") { fillSections(); }
      page = 0;
      render();
    });
  });
  var typing = null;
  $("f-search").addEventListener("input", function () {
    window.clearTimeout(typing);
    typing = window.setTimeout(function () { page = 0; render(); }, 150);
  });
  $("page-prev").addEventListener("click", function () { page = Math.max(0, page - 1); render(); });
  $("page-next").addEventListener("click", function () { page += 1; render(); });
  $("page-size").addEventListener("change", function () { pageSize = parseInt($("page-size").value, 10); page = 0; render(); });

  fillSections();
  if (Object.keys(errors).length) { $("f-warning").value = "error"; }
  render();
  if (window.performance && performance.mark) { performance.mark("review-rendered"); }
})();
