// reachmap report page: filters, sorting and the details of each cell.
// Every text from the model is set with textContent, never parsed as HTML.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("reach-data").textContent);
  var table = document.getElementById("reach");
  var form = document.getElementById("filters");
  var panel = document.getElementById("details");
  var count = document.getElementById("count");
  var selftest = location.hash === "#selftest";
  if (!table) {
    if (selftest) document.body.setAttribute("data-selftest", "no matrix on this page");
    return;
  }
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows);
  var kinds = {};
  data.kinds.forEach(function (k) { kinds[k.kind] = k; });

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function each(list, f) { Array.prototype.forEach.call(list, f); }
  function countryOf(cell) { return data.countries[cell.country]; }
  function categoryOf(cell) { return data.categories[cell.category]; }
  function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }

  // ---------------------------------------------------------------- details

  function badge(kind) {
    return el("span", "k k-" + kinds[kind].letter, kinds[kind].letter);
  }

  function renderEvidence(indices) {
    var evidence = el("div", "evidence");
    indices.forEach(function (i) {
      var entry = data.evidence[i];
      evidence.appendChild(el("h4", null, entry.title));
      var list = el("dl");
      entry.facts.forEach(function (fact) {
        list.appendChild(el("dt", null, fact[0]));
        list.appendChild(el("dd", null, fact[1]));
      });
      evidence.appendChild(list);
    });
    return evidence;
  }

  // With `carries` (the categories the route brings) the route is one of a
  // country's list, whose evidence is shown once after all of them.
  function renderRoute(route, carries) {
    var item = el("li");
    var kind = el("p", "route-kind");
    kind.appendChild(badge(route.kind));
    kind.appendChild(document.createTextNode(" " + kinds[route.kind].words));
    item.appendChild(kind);
    item.appendChild(el("p", "sentence", "Because " + route.sentence + "."));
    var path = el("p", "path", "Path: ");
    route.path.forEach(function (step, i) {
      if (i) path.appendChild(el("span", "arrow", " → "));
      path.appendChild(el("span", "step", step));
    });
    item.appendChild(path);
    if (carries) {
      item.appendChild(el("p", "carries", "Carries: " + carries.join(", ")));
    } else {
      item.appendChild(renderEvidence(route.evidence));
    }
    return item;
  }

  function renderCell(cell) {
    var country = countryOf(cell);
    var category = categoryOf(cell);
    var home = country.code === data.home;
    var box = el("div", "cell-detail");
    box.appendChild(el("h3", null, country.name + " (" + country.code + ") reaches " + category.name));
    var meta = el("p", "meta");
    meta.appendChild(el("code", null, category.id));
    meta.appendChild(document.createTextNode(" · " + category.sensitivity + " · "));
    meta.appendChild(el("span", home ? null : "flag", home ? "home country" : "foreign country"));
    meta.appendChild(document.createTextNode(" · " + cell.kinds.map(function (k) { return kinds[k].words; }).join(", ")));
    box.appendChild(meta);
    if (cell.findings.length) {
      var findings = el("ul", "cell-findings");
      cell.findings.forEach(function (i) {
        var finding = data.findings[i];
        var item = el("li", finding.severity);
        item.appendChild(el("strong", null, finding.severity + " · " + finding.rule + ": "));
        item.appendChild(document.createTextNode(finding.message));
        findings.appendChild(item);
      });
      box.appendChild(findings);
    }
    box.appendChild(el("p", null, plural(cell.routes.length, "route", "routes") + ", each with the evidence recorded on its entries:"));
    var routes = el("ol", "routes");
    cell.routes.forEach(function (i) { routes.appendChild(renderRoute(data.routes[i])); });
    box.appendChild(routes);
    return box;
  }

  var selected = null;
  function showCell(index) {
    if (selected) selected.classList.remove("selected");
    var link = table.querySelector('a[data-cell="' + index + '"]');
    selected = link ? link.parentNode : null;
    if (selected) selected.classList.add("selected");
    panel.replaceChildren(renderCell(data.cells[index]));
  }

  // ---------------------------------------------------------------- filters

  var countryCells = table.querySelectorAll("[data-country]");
  var kindBoxes = form.querySelectorAll('input[name="kind"]');

  function applyFilters() {
    var country = form.elements.country.value;
    var foreignOnly = form.elements.foreign.checked;
    var text = form.elements.category.value.trim().toLowerCase();
    var sensitivity = form.elements.sensitivity.value;
    var on = {};
    each(kindBoxes, function (box) {
      on[box.value] = box.checked;
      table.classList.toggle("hide-" + box.value, !box.checked);
    });
    each(countryCells, function (node) {
      var code = node.getAttribute("data-country");
      node.classList.toggle("out", (country !== "" && code !== country) || (foreignOnly && code === data.home));
    });
    var shown = 0;
    rows.forEach(function (row) {
      var category = data.categories[+row.getAttribute("data-row")];
      var rank = row.getAttribute("data-sensitivity");
      var match = (!text || category.name.toLowerCase().indexOf(text) >= 0 || category.id.toLowerCase().indexOf(text) >= 0) &&
        (!sensitivity || (sensitivity === "*" ? rank !== "normal" : rank === sensitivity));
      var reached = false;
      each(row.querySelectorAll("td[data-kinds]"), function (td) {
        var any = td.getAttribute("data-kinds").split("").some(function (letter) { return on[letter]; });
        td.classList.toggle("dim", !any);
        if (any && !td.classList.contains("out")) reached = true;
      });
      row.classList.toggle("out", !(match && reached));
      if (match && reached) shown += 1;
    });
    count.textContent = shown === rows.length
      ? "Showing all " + plural(rows.length, "category", "categories") + " that some country reaches."
      : "Showing " + shown + " of " + plural(rows.length, "category", "categories") + ".";
  }

  form.hidden = false;
  form.addEventListener("input", applyFilters);
  form.addEventListener("change", applyFilters);
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  // The reset event comes before the fields are reset.
  form.addEventListener("reset", function () { setTimeout(applyFilters, 0); });

  // ---------------------------------------------------------------- sorting

  var sorted = { key: "category", country: null, direction: 1 };
  function sortBy(th) {
    var key = th.getAttribute("data-sort");
    var code = th.getAttribute("data-country");
    var direction = sorted.key === key && sorted.country === code ? -sorted.direction : (key === "category" ? 1 : -1);
    sorted = { key: key, country: code, direction: direction };
    function weight(row) {
      if (key === "sensitivity") return +row.getAttribute("data-rank");
      if (key !== "country") return 0;
      var td = row.querySelector('td[data-country="' + CSS.escape(code) + '"]');
      return td && td.hasAttribute("data-kinds") ? td.getAttribute("data-kinds").length : 0;
    }
    function id(row) { return data.categories[+row.getAttribute("data-row")].id; }
    rows.sort(function (a, b) {
      var byWeight = (weight(a) - weight(b)) * direction;
      if (byWeight) return byWeight;
      var byId = id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0;
      return key === "category" ? byId * direction : byId;
    });
    rows.forEach(function (row) { tbody.appendChild(row); });
    each(table.tHead.rows[0].cells, function (cell) { cell.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", direction > 0 ? "ascending" : "descending");
  }
  table.tHead.addEventListener("click", function (e) {
    var th = e.target.closest("th[data-sort]");
    if (th) sortBy(th);
  });

  // ---------------------------------------------------------------- addresses

  function decode(text) {
    try { return decodeURIComponent(text); } catch (e) { return null; }
  }
  function cellIndex(code, id) {
    for (var i = 0; i < data.cells.length; i += 1) {
      if (countryOf(data.cells[i]).code === code && categoryOf(data.cells[i]).id === id) return i;
    }
    return -1;
  }
  // #cell=CN/user.content opens a cell; #country=CN filters by a country.
  function applyFragment(hash, scroll) {
    var cell = /^#cell=([^\/]*)\/(.*)$/.exec(hash);
    var country = /^#country=(.*)$/.exec(hash);
    if (cell) {
      var index = cellIndex(decode(cell[1]), decode(cell[2]));
      if (index < 0) return false;
      var link = table.querySelector('a[data-cell="' + index + '"]');
      if (link.parentNode.classList.contains("out") || link.closest("tr").classList.contains("out")) {
        form.reset();
        applyFilters();
      }
      showCell(index);
    } else if (country) {
      var code = decode(country[1]);
      if (!data.countries.some(function (c) { return c.code === code; })) return false;
      form.elements.country.value = code;
      applyFilters();
    } else {
      return false;
    }
    if (scroll) document.getElementById("matrix").scrollIntoView();
    return true;
  }
  document.addEventListener("click", function (e) {
    var link = e.target.closest("a[href]");
    var href = link ? link.getAttribute("href") : "";
    if (!/^#(cell|country)=/.test(href) || !applyFragment(href, !table.contains(link))) return;
    e.preventDefault();
    try {
      history.pushState(null, "", href);
    } catch (err) {
      // Some browsers refuse history entries for files; the page still works.
      count.setAttribute("data-address", href);
    }
  });
  window.addEventListener("popstate", function () { applyFragment(location.hash, false); });

  // ---------------------------------------------------------------- every route

  // One country's routes, each told once with every category it carries.
  function renderCountry(column) {
    var box = el("div", "cell-detail");
    var carried = [];
    var order = [];
    var reached = el("ul", "reached");
    data.cells.forEach(function (cell) {
      if (cell.country !== column) return;
      var item = el("li");
      cell.kinds.forEach(function (k) { item.appendChild(badge(k)); });
      item.appendChild(document.createTextNode(" " + categoryOf(cell).name + " "));
      item.appendChild(el("code", null, categoryOf(cell).id));
      reached.appendChild(item);
      cell.routes.forEach(function (r) {
        if (!carried[r]) {
          carried[r] = [];
          order.push(r);
        }
        carried[r].push(categoryOf(cell).id);
      });
    });
    box.appendChild(reached);
    box.appendChild(el("p", null, plural(order.length, "route", "routes") + ":"));
    var routes = el("ol", "routes");
    var entries = [];
    order.forEach(function (r) {
      routes.appendChild(renderRoute(data.routes[r], carried[r]));
      data.routes[r].evidence.forEach(function (i) {
        if (entries.indexOf(i) < 0) entries.push(i);
      });
    });
    box.appendChild(routes);
    box.appendChild(el("p", "evidence-head", "The evidence recorded on the entries of these routes:"));
    box.appendChild(renderEvidence(entries));
    return box;
  }

  var list = document.getElementById("routes-list");
  function fill(details, column) {
    if (details.hasAttribute("data-filled")) return;
    details.setAttribute("data-filled", "");
    details.appendChild(renderCountry(column));
  }
  var order = data.countries.map(function (country, column) { return column; });
  // Foreign countries first: they are what a disclosure is about.
  order.sort(function (a, b) {
    return (data.countries[a].code === data.home) - (data.countries[b].code === data.home) || a - b;
  });
  order.forEach(function (column) {
    var country = data.countries[column];
    var n = data.cells.filter(function (cell) { return cell.country === column; }).length;
    var details = el("details");
    details.setAttribute("data-column", String(column));
    details.appendChild(el("summary", null, country.name + " (" + country.code + ")" +
      (country.code === data.home ? ", the home country" : "") + ": " + plural(n, "category", "categories")));
    details.addEventListener("toggle", function () { if (details.open) fill(details, column); });
    list.appendChild(details);
  });
  document.getElementById("routes").hidden = false;
  window.addEventListener("beforeprint", function () {
    each(list.children, function (details) {
      fill(details, +details.getAttribute("data-column"));
      details.open = true;
    });
  });

  applyFilters();
  if (location.hash && !selftest) applyFragment(location.hash, false);
  if (selftest) runSelftest();

  // ---------------------------------------------------------------- self-test

  // For tests/html_browser.rs: filter by China, open its first cell, check
  // the details, and leave the results on <body> for the dumped DOM.
  function runSelftest() {
    var problems = [];
    var body = document.body;
    function check(ok, text) { if (!ok) problems.push(text); }
    function visible() {
      return rows.filter(function (row) { return getComputedStyle(row).display !== "none"; });
    }
    check(performance.getEntriesByType("resource").length === 0, "the page fetched something");
    check(visible().length === rows.length, "before filtering only " + visible().length + " rows are visible");

    var code = "CN";
    form.elements.country.value = code;
    form.elements.country.dispatchEvent(new Event("change", { bubbles: true }));
    check(form.elements.country.value === code, "the country filter has no " + code);
    var shown = visible();
    body.setAttribute("data-selftest-rows", String(shown.length));
    var expected = data.cells.filter(function (cell) { return countryOf(cell).code === code; }).length;
    check(shown.length === expected, shown.length + " rows for " + code + ", expected " + expected);
    var heads = Array.prototype.filter.call(table.tHead.querySelectorAll("th[data-country]"), function (th) {
      return getComputedStyle(th).display !== "none";
    }).map(function (th) { return th.getAttribute("data-country"); });
    check(heads.join(" ") === code, "columns shown: " + heads.join(" "));

    var link = shown.length ? shown[0].querySelector("td:not(.out) a[data-cell]") : null;
    check(link, "no cell of " + code + " to click");
    if (link) {
      link.click();
      var cell = data.cells[+link.getAttribute("data-cell")];
      var text = panel.textContent;
      body.setAttribute("data-selftest-cell", countryOf(cell).code + " " + categoryOf(cell).id);
      body.setAttribute("data-selftest-panel", text);
      var witness = data.routes[cell.routes[0]].path.join(" → ");
      check(text.indexOf(witness) >= 0, "the details lack the path " + witness);
      check(link.parentNode.classList.contains("selected"), "the clicked cell is not marked");
    }

    each(kindBoxes, function (box) { box.checked = box.value === "S"; });
    applyFilters();
    body.setAttribute("data-selftest-stored-rows", String(visible().length));
    form.reset();
    form.elements.foreign.checked = true;
    form.elements.sensitivity.value = "*";
    applyFilters();
    body.setAttribute("data-selftest-foreign-sensitive-rows", String(visible().length));
    check(getComputedStyle(table.querySelector('th[data-country="' + CSS.escape(data.home) + '"]')).display === "none",
      "the home column is shown with foreign countries only");
    form.reset();
    applyFilters();
    check(visible().length === rows.length, "after Show all only " + visible().length + " rows are visible");

    table.tHead.querySelector('th[data-sort="category"] button').click();
    var ids = Array.prototype.map.call(tbody.rows, function (row) {
      return data.categories[+row.getAttribute("data-row")].id;
    });
    check(ids.every(function (id, i) { return i === 0 || ids[i - 1] > id; }), "sorting by category did not reverse the rows");
    table.tHead.querySelector('th[data-sort="category"] button').click();

    problems = problems.concat(window.reachmapProblems || []);
    body.setAttribute("data-selftest", problems.length ? problems.join(" | ") : "ok");
  }
})();
