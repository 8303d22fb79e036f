// Choosing an indicator opens its evidence; the filters hide indicators by status and paragraphs by category.
(function () {
  function choose(row) {
    var table = row.closest("table");
    table.querySelectorAll("tr.indicator.chosen").forEach(function (r) { r.classList.remove("chosen"); });
    table.querySelectorAll("tr.evidence-row.open").forEach(function (r) { r.classList.remove("open"); });
    row.classList.add("chosen");
    document.getElementById(row.dataset.target).classList.add("open");
  }
  document.querySelectorAll("tr.indicator").forEach(function (row) {
    row.addEventListener("click", function () { choose(row); });
    row.addEventListener("keydown", function (e) { if (e.key === "Enter") { choose(row); } });
  });
  document.getElementById("status-filter").addEventListener("change", function () {
    var wanted = this.value;
    document.querySelectorAll("tr.indicator, tr.evidence-row").forEach(function (row) {
      row.classList.toggle("hidden", wanted !== "" && row.dataset.status !== wanted);
    });
  });
  document.getElementById("category-filter").addEventListener("change", function () {
    var wanted = this.value;
    document.querySelectorAll("li.paragraph").forEach(function (item) {
      item.classList.toggle("hidden", wanted !== "" && item.dataset.labels.indexOf(" " + wanted + " ") < 0);
    });
  });
})();
