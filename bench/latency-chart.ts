import { formatNumber } from './figure';
import type { Distribution } from './measure';

/** One bar group of a chart: a call (or a slice of sessions) and its latency distribution. */
export interface LatencyGroup {
  readonly label: string;
  readonly distribution: Distribution;
}

/** One chart row: the groups of one measurement, with the target line they are judged by. */
export interface LatencyPanel {
  readonly title: string;
  readonly groups: readonly LatencyGroup[];
  readonly target?: { readonly label: string; readonly ms: number };
}

const WIDTH = 960;
const PANEL_HEIGHT = 250;
const PLOT_TOP = 40;
const PLOT_BOTTOM = 200;
const PLOT_LEFT = 70;
const PLOT_RIGHT = WIDTH - 20;
const PERCENTILES = [
  { key: 'p50', color: '#9ecae1' },
  { key: 'p90', color: '#4292c6' },
  { key: 'p99', color: '#08519c' },
] as const;

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A log10 axis from the power of ten below the smallest value to the one above the largest. */
function logScale(values: readonly number[]): { decades: number[]; y: (ms: number) => number } {
  const positive = values.filter((value) => value > 0 && Number.isFinite(value));
  const low = Math.floor(Math.log10(Math.min(...positive, 1)));
  const high = Math.max(low + 1, Math.ceil(Math.log10(Math.max(...positive, 10))));
  const y = (ms: number): number => {
    const clamped = Math.min(Math.max(ms, 10 ** low), 10 ** high);
    const share = (Math.log10(clamped) - low) / (high - low);
    return PLOT_BOTTOM - share * (PLOT_BOTTOM - PLOT_TOP);
  };
  return { decades: Array.from({ length: high - low + 1 }, (_, index) => low + index), y };
}

function panelSvg(panel: LatencyPanel): string {
  const groups = panel.groups.filter((group) => group.distribution.count > 0);
  const { decades, y } = logScale([
    ...groups.flatMap((group) => PERCENTILES.map(({ key }) => group.distribution[key])),
    ...(panel.target ? [panel.target.ms] : []),
  ]);
  const parts = [`<text x="${PLOT_LEFT}" y="22" class="title">${escapeXml(panel.title)}</text>`];
  for (const decade of decades) {
    const at = y(10 ** decade);
    parts.push(
      `<line x1="${PLOT_LEFT}" x2="${PLOT_RIGHT}" y1="${at}" y2="${at}" class="grid"/>`,
      `<text x="${PLOT_LEFT - 6}" y="${at + 4}" class="axis" text-anchor="end">${formatNumber(10 ** decade)} ms</text>`,
    );
  }
  const slot = (PLOT_RIGHT - PLOT_LEFT) / Math.max(groups.length, 1);
  const barWidth = Math.min(28, (slot * 0.7) / PERCENTILES.length);
  groups.forEach((group, index) => {
    const center = PLOT_LEFT + slot * (index + 0.5);
    PERCENTILES.forEach(({ key, color }, bar) => {
      const value = group.distribution[key];
      const x = center + (bar - 1.5) * barWidth;
      const top = y(value);
      parts.push(
        `<rect x="${x}" y="${top}" width="${barWidth - 2}" height="${PLOT_BOTTOM - top}" fill="${color}"><title>${escapeXml(`${group.label} ${key} ${formatNumber(value)} ms`)}</title></rect>`,
      );
      if (key === 'p99')
        parts.push(
          `<text x="${x + barWidth / 2}" y="${top - 4}" class="value" text-anchor="middle">${formatNumber(value)}</text>`,
        );
    });
    parts.push(
      `<text x="${center}" y="${PLOT_BOTTOM + 18}" class="label" text-anchor="middle">${escapeXml(group.label)}</text>`,
      `<text x="${center}" y="${PLOT_BOTTOM + 32}" class="axis" text-anchor="middle">n=${group.distribution.count}</text>`,
    );
  });
  if (panel.target) {
    const at = y(panel.target.ms);
    parts.push(
      `<line x1="${PLOT_LEFT}" x2="${PLOT_RIGHT}" y1="${at}" y2="${at}" class="target"/>`,
      `<text x="${PLOT_RIGHT}" y="${at - 4}" class="target-label" text-anchor="end">${escapeXml(`${panel.target.label} ${formatNumber(panel.target.ms)} ms`)}</text>`,
    );
  }
  return parts.join('\n');
}

/**
 * Bars of p50, p90 and p99 per group on a log scale, one row per panel: a dependency-free SVG
 * that any browser or Markdown viewer shows.
 */
export function latencyChartSvg(panels: readonly LatencyPanel[]): string {
  const height = PANEL_HEIGHT * panels.length + 30;
  const legend = PERCENTILES.map(
    ({ key, color }, index) =>
      `<rect x="${PLOT_LEFT + index * 70}" y="8" width="12" height="12" fill="${color}"/><text x="${PLOT_LEFT + index * 70 + 16}" y="18" class="axis">${key}</text>`,
  ).join('');
  const rows = panels.map(
    (panel, index) =>
      `<g transform="translate(0 ${30 + index * PANEL_HEIGHT})">\n${panelSvg(panel)}\n</g>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif">
<style>
.title { font-size: 15px; font-weight: bold; }
.axis { font-size: 11px; fill: #555; }
.label { font-size: 12px; }
.value { font-size: 10px; fill: #08519c; }
.grid { stroke: #ddd; }
.target { stroke: #d62728; stroke-dasharray: 6 4; }
.target-label { font-size: 11px; fill: #d62728; }
</style>
<rect width="100%" height="100%" fill="white"/>
${legend}
${rows.join('\n')}
</svg>
`;
}
