/* The Center figures page (/figures): makes the latest figures' column headings sort buttons.
 *
 * Without JavaScript each heading is a link that asks the server for the sorted table (?sort=...&order=...). With
 * it, the link becomes a <button> that sorts the rows in place: the sorted heading carries aria-sort, and a status
 * message (its words are the table's data-announce-* attributes) tells screen reader users what changed. The total
 * row (tfoot) stays last. No inline script: the page's Content-Security-Policy allows scripts from this server only.
 */
(function () {
  'use strict';

  var table = document.getElementById('figures-table');
  if (!table || !table.tHead || !table.tBodies.length) return;
  var status = document.getElementById('sort-status');
  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);

  function cellValue(row, index, numeric) {
    var cell = row.cells[index];
    if (!numeric) return cell.textContent.trim();
    var value = cell.getAttribute('data-value');
    return value === '' || value === null ? null : Number(value);
  }

  function sortBy(index) {
    var heading = headers[index];
    var numeric = heading.getAttribute('data-type') === 'number';
    var current = heading.getAttribute('aria-sort');
    var direction;
    if (current === 'ascending') direction = 'descending';
    else if (current === 'descending') direction = 'ascending';
    else direction = numeric ? 'descending' : 'ascending';
    var sign = direction === 'ascending' ? 1 : -1;

    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = cellValue(a, index, numeric);
      var y = cellValue(b, index, numeric);
      if (x === null || y === null) {
        if (x !== y) return x === null ? 1 : -1; // rows with no data last, whatever the direction
      } else if (x !== y) {
        return (numeric ? x - y : String(x).localeCompare(String(y))) * sign;
      }
      return cellValue(a, 0, false).localeCompare(cellValue(b, 0, false));
    });
    rows.forEach(function (row) { body.appendChild(row); });

    headers.forEach(function (h) { h.removeAttribute('aria-sort'); });
    heading.setAttribute('aria-sort', direction);
    if (status) {
      var words = table.getAttribute('data-announce-' + direction) || '';
      status.textContent = words.replace('{column}', heading.textContent.trim());
    }
    if (window.history && window.history.replaceState) {
      var order = direction === 'ascending' ? 'asc' : 'desc';
      var key = encodeURIComponent(heading.getAttribute('data-sort-key'));
      window.history.replaceState(null, '', '?sort=' + key + '&order=' + order + '#latest');
    }
  }

  headers.forEach(function (heading, index) {
    var link = heading.querySelector('a.sort-link');
    if (!link) return;
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'sort-button';
    if (link.hasAttribute('aria-describedby')) {
      button.setAttribute('aria-describedby', link.getAttribute('aria-describedby'));
    }
    while (link.firstChild) button.appendChild(link.firstChild);
    link.parentNode.replaceChild(button, link);
    button.addEventListener('click', function () { sortBy(index); });
  });
  table.classList.add('sortable');
})();
