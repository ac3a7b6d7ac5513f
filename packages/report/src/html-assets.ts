/** Inline CSS and JS of the HTML report (kept apart so the page builder reads as structure). */

export const HTML_STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#222;background:#fafafa}
header{background:#1f2d3d;color:#fff;padding:16px 24px}header h1{margin:0 0 4px;font-size:22px}
.meta{margin:0;color:#cfd8e3;font-size:12px}
.cards{display:flex;gap:12px;margin-top:12px;flex-wrap:wrap}
.card{background:#2c3e50;border-radius:6px;padding:8px 12px;min-width:180px}.card .k{font-size:11px;text-transform:uppercase;color:#9fb3c8}.card .v{font-size:15px}
main{padding:8px 24px 40px}section{background:#fff;border:1px solid #e3e3e3;border-radius:6px;padding:12px 16px;margin:16px 0;overflow-x:auto}
h2{font-size:17px;margin:0 0 10px}h3{font-size:14px;margin:12px 0 6px;color:#444}
.chart .lbl{font-size:12px;fill:#333}.chart .val{font-size:11px;fill:#333}
.empty{color:#888;font-style:italic}
table{border-collapse:collapse;font-size:13px}th,td{border:1px solid #ddd;padding:3px 8px;text-align:left}th{background:#f0f0f0}
.v-pass,.v-improved{background:#dff0d8}.v-regressed,.v-slo-breach,.v-errored{background:#f8d7da;font-weight:600}
.v-noise,.v-incomparable,.v-new,.v-missing,.v-no-baseline,.v-not-run{background:#fff3cd}
.legend .sw{display:inline-block;width:12px;height:12px;margin:0 4px 0 10px;vertical-align:middle;border:1px solid #ccc}
.pair{display:inline-block;margin:0 16px 8px 0;vertical-align:top}.verdict{font-size:12px;color:#555}
.cell{cursor:pointer}.detail{font-size:12px;color:#555}
.summary span{padding:1px 6px;border-radius:3px}pre{background:#f6f8fa;padding:8px;font-size:12px;overflow-x:auto}
`;

/** Progressive enhancement only: the page is complete without it. Sets data-ready for the test. */
export const HTML_SCRIPT = `
(function () {
  var detail = document.getElementById('cell-detail');
  var cells = document.querySelectorAll('#coverage .cell');
  for (var i = 0; i < cells.length; i++) {
    cells[i].addEventListener('click', function (ev) {
      var t = ev.currentTarget.querySelector('title');
      if (detail && t) detail.textContent = t.textContent;
    });
  }
  document.body.setAttribute('data-ready', String(document.querySelectorAll('section').length));
})();
`;
