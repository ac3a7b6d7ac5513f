/**
 * Inline SVG charts for the HTML report: no library, no network, readable without JavaScript.
 * Every function returns an <svg> string; all text is escaped.
 */

export function esc(s: string | number): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2));

export const SERIES_COLORS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948'];

export interface BarGroup {
  label: string;
  /** `text` replaces the printed value (e.g. the raw figure behind a normalised bar). */
  values: { series: string; value: number; text?: string }[];
}

/**
 * Where a value lands on a log axis spanning whole decades around the data, as 0..1. Latencies from
 * 0.02 ms to 350 ms share one chart this way; on a linear axis most bars would be invisible.
 */
export function logAxis(values: number[]): { lo: number; hi: number; at: (v: number) => number; ticks: number[] } {
  const pos = values.filter((v) => Number.isFinite(v) && v > 0);
  const lo = 10 ** Math.floor(Math.log10(pos.length ? Math.min(...pos) : 1));
  const hi = Math.max(lo * 10, 10 ** Math.ceil(Math.log10(pos.length ? Math.max(...pos) : 10)));
  const span = Math.log10(hi / lo);
  const ticks: number[] = [];
  for (let t = lo; t <= hi * 1.0001; t *= 10) ticks.push(Number(t.toPrecision(1)));
  return { lo, hi, ticks, at: (v) => (v > 0 ? Math.min(1, Math.max(0, Math.log10(v / lo) / span)) : 0) };
}

const tickText = (v: number) => (v >= 1 ? String(v) : v.toPrecision(1));

/**
 * Horizontal grouped bars: one row group per label, one bar per series, scaled to the chart's max,
 * or on a log axis with decade grid lines (`scale: 'log'`, for latencies of very different sizes).
 */
export function groupedBars(groups: BarGroup[], unit: string, series: string[], options: { scale?: 'linear' | 'log' } = {}): string {
  const barH = 12;
  const gap = 10;
  // Room for the longest label (about 6.5 px per character at 12 px), within reason.
  const labelW = Math.min(480, Math.max(120, ...groups.map((g) => g.label.length * 6.5 + 12)));
  const width = Math.max(760, labelW + 520);
  const plotW = width - labelW - 70;
  const all = groups.flatMap((g) => g.values.map((v) => v.value));
  const max = Math.max(1e-9, ...all);
  const log = options.scale === 'log' ? logAxis(all) : undefined;
  const scaled = (v: number) => (log ? log.at(v) : v / max);
  const groupH = series.length * barH + gap;
  const top = log ? 14 : 0;
  const height = groups.length * groupH + 30 + top;
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" class="chart${log ? ' log' : ''}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img">`];
  if (log) {
    for (const t of log.ticks) {
      const x = (labelW + log.at(t) * plotW).toFixed(1);
      parts.push(`<line class="grid" x1="${x}" y1="${top}" x2="${x}" y2="${height - 24}" stroke="#ddd"/><text x="${x}" y="${top - 3}" text-anchor="middle" class="val">${esc(tickText(t))}</text>`);
    }
  }
  groups.forEach((g, gi) => {
    const y0 = gi * groupH + 4 + top;
    parts.push(`<text x="${labelW - 8}" y="${y0 + (series.length * barH) / 2 + 4}" text-anchor="end" class="lbl">${esc(g.label)}</text>`);
    series.forEach((s, si) => {
      const entry = g.values.find((x) => x.series === s);
      const v = entry?.value;
      if (v === undefined || !Number.isFinite(v)) return;
      const w = Math.max(1, scaled(v) * plotW);
      const y = y0 + si * barH;
      parts.push(
        `<rect x="${labelW}" y="${y}" width="${w.toFixed(1)}" height="${barH - 2}" fill="${SERIES_COLORS[si % SERIES_COLORS.length]}"><title>${esc(`${g.label} ${s}: ${entry?.text ?? `${fmt(v)} ${unit}`}`)}</title></rect>`,
        `<text x="${(labelW + w + 4).toFixed(1)}" y="${y + barH - 3}" class="val">${esc(entry?.text ?? fmt(v))}</text>`,
      );
    });
  });
  const ly = height - 10;
  series.forEach((s, si) => {
    parts.push(`<rect x="${labelW + si * 90}" y="${ly - 9}" width="10" height="10" fill="${SERIES_COLORS[si % SERIES_COLORS.length]}"/><text x="${labelW + si * 90 + 14}" y="${ly}" class="val">${esc(s)}</text>`);
  });
  parts.push(`<text x="${width - 4}" y="${ly}" text-anchor="end" class="val">${esc(log ? `${unit}, log scale` : unit)}</text></svg>`);
  return parts.join('');
}

export interface TimelinePoint {
  atMs: number;
  label: string;
}

/** Events on one time axis (ms since the fault): markers with staggered labels. */
export function timeline(points: TimelinePoint[]): string {
  const width = 760;
  const height = 60 + points.length * 16;
  const x0 = 40;
  const x1 = width - 40;
  const lo = Math.min(0, ...points.map((p) => p.atMs));
  const hi = Math.max(lo + 1, ...points.map((p) => p.atMs));
  const x = (t: number) => x0 + ((t - lo) / (hi - lo)) * (x1 - x0);
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img">`];
  parts.push(`<line x1="${x0}" y1="30" x2="${x1}" y2="30" stroke="#555"/>`);
  parts.push(`<text x="${x0}" y="20" class="val">${esc(fmt(lo))} ms</text><text x="${x1}" y="20" text-anchor="end" class="val">${esc(fmt(hi))} ms</text>`);
  points.forEach((p, i) => {
    const px = x(p.atMs);
    const ty = 50 + i * 16;
    parts.push(`<circle cx="${px.toFixed(1)}" cy="30" r="5" fill="${SERIES_COLORS[i % SERIES_COLORS.length]}"><title>${esc(`${p.label} at ${fmt(p.atMs)} ms`)}</title></circle>`);
    parts.push(`<line x1="${px.toFixed(1)}" y1="35" x2="${px.toFixed(1)}" y2="${ty - 10}" stroke="#bbb" stroke-dasharray="2,2"/>`);
    const anchor = px > width / 2 ? 'end' : 'start';
    parts.push(`<text x="${px.toFixed(1)}" y="${ty}" text-anchor="${anchor}" class="val">${esc(`${fmt(p.atMs)} ms ${p.label}`)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

export interface HeatCell {
  row: string;
  col: string;
  state: string;
  text: string;
}

export const STATE_COLORS: Record<string, string> = {
  covered: '#59a14f',
  extra: '#a0cbe8',
  failing: '#e15759',
  missing: '#f1ce63',
  'n/a': '#eeeeee',
};

/** Grid of rows x columns coloured by state (the coverage matrix). */
export function heatmap(rows: string[], cols: string[], cells: HeatCell[]): string {
  const cw = 104;
  const ch = 26;
  const lw = 90;
  const top = 40;
  const width = lw + cols.length * cw + 10;
  const height = top + rows.length * ch + 10;
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img">`];
  cols.forEach((c, ci) => parts.push(`<text x="${lw + ci * cw + cw / 2}" y="${top - 10}" text-anchor="middle" class="lbl">${esc(c)}</text>`));
  rows.forEach((r, ri) => {
    parts.push(`<text x="${lw - 8}" y="${top + ri * ch + ch / 2 + 4}" text-anchor="end" class="lbl">${esc(r)}</text>`);
    cols.forEach((c, ci) => {
      const cell = cells.find((x) => x.row === r && x.col === c);
      const state = cell?.state ?? 'n/a';
      parts.push(
        `<g class="cell" data-state="${esc(state)}"><rect x="${lw + ci * cw + 1}" y="${top + ri * ch + 1}" width="${cw - 2}" height="${ch - 2}" fill="${STATE_COLORS[state] ?? '#ccc'}"><title>${esc(`${r} / ${c}: ${state}`)}</title></rect>` +
          `<text x="${lw + ci * cw + cw / 2}" y="${top + ri * ch + ch / 2 + 4}" text-anchor="middle" class="val">${esc(cell?.text ?? '')}</text></g>`,
      );
    });
  });
  parts.push('</svg>');
  return parts.join('');
}

export interface CurvePoint {
  /** Achieved throughput, req/s. */
  x: number;
  p50: number;
  p95: number;
  p99: number;
  passed: boolean;
}

/**
 * Throughput-latency curve of one route's capacity search: achieved req/s across, p50/p95/p99 up on
 * a log scale (latency spans 1 ms to seconds past the knee), the SLO as a dashed line, the knee marked.
 */
export function throughputLatency(points: CurvePoint[], sloMs: number, knee: number): string {
  const width = 760;
  const height = 300;
  const left = 60;
  const right = width - 20;
  const top = 20;
  const bottom = height - 40;
  const pts = [...points].sort((a, b) => a.x - b.x);
  const xMax = Math.max(1, knee, ...pts.map((p) => p.x)) * 1.05;
  const ys = pts.flatMap((p) => [p.p50, p.p95, p.p99]).filter((v) => v > 0);
  const lo = Math.pow(10, Math.floor(Math.log10(Math.max(0.01, Math.min(sloMs, ...ys)))));
  const hi = Math.pow(10, Math.ceil(Math.log10(Math.max(sloMs * 1.01, ...ys))));
  const x = (v: number) => left + (v / xMax) * (right - left);
  const y = (v: number) => bottom - ((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * (bottom - top);
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" class="chart curve" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img">`];
  parts.push(`<line x1="${left}" y1="${bottom}" x2="${right}" y2="${bottom}" stroke="#555"/><line x1="${left}" y1="${top}" x2="${left}" y2="${bottom}" stroke="#555"/>`);
  for (let d = lo; d <= hi * 1.0001; d *= 10) parts.push(`<line x1="${left}" y1="${y(d).toFixed(1)}" x2="${right}" y2="${y(d).toFixed(1)}" stroke="#eee"/><text x="${left - 4}" y="${(y(d) + 4).toFixed(1)}" text-anchor="end" class="val">${esc(fmt(d))}</text>`);
  for (let i = 0; i <= 4; i++) parts.push(`<text x="${x((xMax / 4) * i).toFixed(1)}" y="${bottom + 16}" text-anchor="middle" class="val">${esc(fmt((xMax / 4) * i))}</text>`);
  parts.push(`<text x="${(left + right) / 2}" y="${height - 6}" text-anchor="middle" class="lbl">achieved req/s</text><text x="12" y="${top + 10}" class="lbl">ms (log)</text>`);
  parts.push(`<line class="slo" x1="${left}" y1="${y(sloMs).toFixed(1)}" x2="${right}" y2="${y(sloMs).toFixed(1)}" stroke="#e15759" stroke-dasharray="6,4"><title>${esc(`SLO p95 < ${sloMs} ms`)}</title></line>`);
  if (knee > 0) parts.push(`<line class="knee" x1="${x(knee).toFixed(1)}" y1="${top}" x2="${x(knee).toFixed(1)}" y2="${bottom}" stroke="#59a14f" stroke-dasharray="3,3"><title>${esc(`knee ${knee} req/s`)}</title></line><text x="${(x(knee) + 4).toFixed(1)}" y="${top + 12}" class="val">${esc(`knee ${knee} req/s`)}</text>`);
  (['p50', 'p95', 'p99'] as const).forEach((k, i) => {
    const color = SERIES_COLORS[i];
    const line = pts.map((p) => `${x(p.x).toFixed(1)},${y(p[k]).toFixed(1)}`).join(' ');
    if (pts.length > 1) parts.push(`<polyline points="${line}" fill="none" stroke="${color}" stroke-width="1.5"/>`);
    for (const p of pts) parts.push(`<circle cx="${x(p.x).toFixed(1)}" cy="${y(p[k]).toFixed(1)}" r="3" fill="${p.passed ? color : '#fff'}" stroke="${color}"><title>${esc(`${fmt(p.x)} req/s: ${k} ${fmt(p[k])} ms${p.passed ? '' : ' (step failed)'}`)}</title></circle>`);
    parts.push(`<rect x="${right - 200 + i * 65}" y="${top}" width="10" height="10" fill="${color}"/><text x="${right - 186 + i * 65}" y="${top + 9}" class="val">${k}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}
