// Dependency-free horizontal bar charts as SVG: bench/ratios.svg and bench/wine-speedup.svg (bars),
// bench/split.svg (stacked bars).

const esc = (s) => String(s).replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]);

/**
 * bars: [{ label, value, target? }] — value drawn as a bar, target as a red tick. With `log`, the
 * axis is logarithmic from 1 (for ratios spanning orders of magnitude).
 */
export function barChartSvg(bars, title, { log = false } = {}) {
  const width = 760, labelWidth = 240, barArea = width - labelWidth - 80, rowHeight = 28, top = 40;
  const max = Math.max(1, ...bars.map((b) => Math.max(b.value, b.target ?? 0))) * (log ? 1.5 : 1.1);
  const scale = log ? (v) => Math.log10(Math.max(1, v)) / Math.log10(max) : (v) => v / max;
  const x = (v) => labelWidth + scale(v) * barArea;
  const height = top + bars.length * rowHeight + 30;
  const rows = bars.map((b, i) => {
    const y = top + i * rowHeight;
    const target = b.target ? `<line x1="${x(b.target)}" x2="${x(b.target)}" y1="${y}" y2="${y + 20}" stroke="#c00" stroke-width="2"/>` : '';
    const shown = b.value >= 10 ? b.value.toFixed(0) : b.value.toFixed(2);
    return `<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end">${esc(b.label)}</text>` +
      `<rect x="${labelWidth}" y="${y + 2}" width="${Math.max(1, x(b.value) - labelWidth)}" height="16" fill="#4a7ab8"/>` +
      `<text x="${x(b.value) + 6}" y="${y + 15}">${shown}×</text>${target}`;
  });
  const one = log ? '' : `<line x1="${x(1)}" x2="${x(1)}" y1="${top - 6}" y2="${height - 24}" stroke="#888" stroke-dasharray="4 3"/>`;
  const axisNote = log ? ' · logarithmic axis' : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="13">` +
    `<rect width="100%" height="100%" fill="#fff"/><text x="${width / 2}" y="22" text-anchor="middle" font-weight="bold">${esc(title)}</text>` +
    `${one}${rows.join('')}<text x="${labelWidth}" y="${height - 8}" fill="#c00">${bars.some((b) => b.target) ? 'red tick: target' : ''}${axisNote}</text></svg>\n`;
}

const PART_COLOURS = ['#9aa5b1', '#e0a030', '#4a7ab8'];

/**
 * bars: [{ label, parts: [number, ...], target? }] — the parts stacked left to right in the
 * colours of `partNames` (a legend names them), the total written after the bar, the target as a
 * red tick. A negative part (measurement noise) is drawn as nothing.
 */
export function stackedBarChartSvg(bars, partNames, title) {
  const width = 760, labelWidth = 240, barArea = width - labelWidth - 80, rowHeight = 28, top = 40;
  const total = (b) => b.parts.reduce((sum, p) => sum + Math.max(0, p), 0);
  const max = Math.max(1, ...bars.map((b) => Math.max(total(b), b.target ?? 0))) * 1.1;
  const x = (v) => labelWidth + (v / max) * barArea;
  const height = top + bars.length * rowHeight + 50;
  const rows = bars.map((b, i) => {
    const y = top + i * rowHeight;
    let at = 0;
    const segments = b.parts.map((p, k) => {
      const from = at;
      at += Math.max(0, p);
      return `<rect x="${x(from)}" y="${y + 2}" width="${Math.max(0, x(at) - x(from))}" height="16" fill="${PART_COLOURS[k % PART_COLOURS.length]}"/>`;
    });
    const target = b.target ? `<line x1="${x(b.target)}" x2="${x(b.target)}" y1="${y}" y2="${y + 20}" stroke="#c00" stroke-width="2"/>` : '';
    return `<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end">${esc(b.label)}</text>${segments.join('')}` +
      `<text x="${x(at) + 6}" y="${y + 15}">${at.toFixed(2)}×</text>${target}`;
  });
  const legend = partNames.map((name, k) => `<rect x="${labelWidth + k * 150}" y="${height - 38}" width="12" height="12" fill="${PART_COLOURS[k % PART_COLOURS.length]}"/>` +
    `<text x="${labelWidth + k * 150 + 18}" y="${height - 28}">${esc(name)}</text>`).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="13">` +
    `<rect width="100%" height="100%" fill="#fff"/><text x="${width / 2}" y="22" text-anchor="middle" font-weight="bold">${esc(title)}</text>` +
    `${rows.join('')}${legend}<text x="${labelWidth}" y="${height - 8}" fill="#c00">red tick: target</text></svg>\n`;
}
