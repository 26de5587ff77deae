// A dependency-free horizontal bar chart as SVG, for bench/ratios.svg.

const esc = (s) => String(s).replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]);

/** bars: [{ label, value, target? }] — value drawn as a bar, target as a red tick. */
export function barChartSvg(bars, title) {
  const width = 760, labelWidth = 240, barArea = width - labelWidth - 80, rowHeight = 28, top = 40;
  const max = Math.max(1, ...bars.map((b) => Math.max(b.value, b.target ?? 0))) * 1.1;
  const x = (v) => labelWidth + (v / max) * barArea;
  const height = top + bars.length * rowHeight + 30;
  const rows = bars.map((b, i) => {
    const y = top + i * rowHeight;
    const target = b.target ? `<line x1="${x(b.target)}" x2="${x(b.target)}" y1="${y}" y2="${y + 20}" stroke="#c00" stroke-width="2"/>` : '';
    return `<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end">${esc(b.label)}</text>` +
      `<rect x="${labelWidth}" y="${y + 2}" width="${Math.max(1, x(b.value) - labelWidth)}" height="16" fill="#4a7ab8"/>` +
      `<text x="${x(b.value) + 6}" y="${y + 15}">${b.value.toFixed(2)}×</text>${target}`;
  });
  const one = `<line x1="${x(1)}" x2="${x(1)}" y1="${top - 6}" y2="${height - 24}" stroke="#888" stroke-dasharray="4 3"/>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="13">` +
    `<rect width="100%" height="100%" fill="#fff"/><text x="${width / 2}" y="22" text-anchor="middle" font-weight="bold">${esc(title)}</text>` +
    `${one}${rows.join('')}<text x="${labelWidth}" y="${height - 8}" fill="#c00">red tick: target</text></svg>\n`;
}
