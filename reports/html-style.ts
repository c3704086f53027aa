/** The report's inline stylesheet and its one small script (table sorting). No external resources. */

export const STYLE = `
:root { color-scheme: light; --ink: #1d1d1f; --muted: #5b5b60; --line: #dddddd; --warn: #fff4e5; --bad: #fdecea; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #fafafa; }
header, main { max-width: 1180px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 24px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 36px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 16px 0 4px; }
.sub { color: var(--muted); margin: 0; }
nav { margin: 12px 0 0; font-size: 13px; }
nav a { margin-right: 12px; color: #2a5db0; }
.lede { font-size: 17px; margin: 16px 0 12px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(260px, 100%), 1fr)); gap: 14px; }
.card { background: #fff; border: 1px solid var(--line); border-left: 6px solid var(--accent, #888); border-radius: 6px; padding: 12px 16px; }
.card h3 { margin: 0 0 6px; font-size: 16px; }
.big { font-size: 28px; font-weight: 700; line-height: 1.15; }
.big small { font-size: 15px; font-weight: 500; color: var(--muted); }
.card p { margin: 2px 0 8px; color: var(--muted); font-size: 13px; }
.card p.vs { border-top: 1px solid var(--line); padding-top: 6px; margin-top: 10px; }
.notices { background: var(--warn); border: 1px solid #f0c36d; border-radius: 6px; padding: 4px 16px 8px; margin-top: 24px; }
.notices.serious { background: var(--bad); border-color: #e0a19b; }
.notices h2 { border: 0; margin-top: 8px; }
figure.chart { margin: 16px 0 24px; background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 12px; overflow-x: auto; }
figure.chart svg { display: block; max-width: none; height: auto; }
figcaption, .caption { color: var(--muted); font-size: 13px; margin-top: 6px; max-width: 900px; }
.grid2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(560px, 100%), 1fr)); gap: 0 16px; }
.scroll { overflow-x: auto; max-width: 100%; border: 1px solid var(--line); border-radius: 6px; background: #fff; }
table { border-collapse: collapse; font-size: 13px; }
th, td { padding: 4px 8px; border-bottom: 1px solid #eeeeee; text-align: left; white-space: nowrap; vertical-align: top; }
th { background: #f3f3f5; position: sticky; top: 0; }
table.jobs td:first-child, table.jobs th:first-child { position: sticky; left: 0; background: #fff; z-index: 1; }
table.jobs th:first-child { background: #f3f3f5; z-index: 2; }
table.sortable th { cursor: pointer; }
table.sortable th[aria-sort="ascending"]::after { content: " \\25B2"; }
table.sortable th[aria-sort="descending"]::after { content: " \\25BC"; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.partial td { background: var(--bad); }
tr.historical td { color: var(--muted); font-style: italic; }
td.worse { background: var(--bad); }
td.better { background: #e8f5e9; }
.warn { background: var(--warn); padding: 6px 10px; border-radius: 4px; }
dl { display: grid; grid-template-columns: minmax(160px, 220px) 1fr; gap: 4px 16px; font-size: 14px; }
dt { font-weight: 600; }
dd { margin: 0; }
code { font-size: 13px; }
footer { max-width: 1180px; margin: 32px auto; padding: 0 24px; color: var(--muted); font-size: 12px; }
@media print { figure.chart, .scroll { break-inside: avoid; overflow: visible; } }
`;

/**
 * Click (or Enter on) a header of a table.sortable to sort by that column; numbers sort by their
 * raw value (data-v), text alphabetically. The page reads fine without it.
 */
export const SORT_SCRIPT = `
(function () {
  function key(row, i) {
    var cell = row.children[i];
    if (!cell) return '';
    var v = cell.getAttribute('data-v');
    return v === null ? cell.textContent : v === '' ? NaN : Number(v);
  }
  function sortBy(table, th, i) {
    var dir = th.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending';
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) { c.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', dir);
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a, i), y = key(b, i);
      var r = typeof x === 'number' && typeof y === 'number'
        ? (isNaN(x) ? 1 : isNaN(y) ? -1 : x - y)
        : String(x).localeCompare(String(y));
      return dir === 'ascending' ? r : -r;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }
  Array.prototype.forEach.call(document.querySelectorAll('table.sortable'), function (table) {
    if (!table.tHead || table.tHead.rows.length !== 1) return;
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
      th.tabIndex = 0;
      th.title = 'sort by this column';
      th.addEventListener('click', function () { sortBy(table, th, i); });
      th.addEventListener('keydown', function (ev) { if (ev.key === 'Enter') sortBy(table, th, i); });
    });
  });
})();
`;
