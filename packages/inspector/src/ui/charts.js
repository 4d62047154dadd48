// Two small inline-SVG charts: bars for events per minute, a line for the backlog over
// time. Axes are kept minimal: a zero line, the maximum, and the first and last labels.
import { s } from './dom.js';

const width = 560;
const height = 170;
const pad = { top: 14, right: 12, bottom: 24, left: 40 };

function frame(max, firstLabel, lastLabel, label) {
  const bottom = height - pad.bottom;
  return [
    s('line', { x1: pad.left, x2: width - pad.right, y1: bottom, y2: bottom, class: 'axis' }),
    s('line', { x1: pad.left, x2: width - pad.right, y1: pad.top, y2: pad.top, class: 'grid' }),
    s('text', { x: pad.left - 6, y: pad.top + 4, class: 'tick', 'text-anchor': 'end' }, String(max)),
    s('text', { x: pad.left - 6, y: bottom + 4, class: 'tick', 'text-anchor': 'end' }, '0'),
    s('text', { x: pad.left, y: height - 6, class: 'tick' }, firstLabel),
    s('text', { x: width - pad.right, y: height - 6, class: 'tick', 'text-anchor': 'end' }, lastLabel),
    s('title', {}, label),
  ];
}

function niceMax(values) {
  const max = Math.max(1, ...values);
  const step = 10 ** Math.floor(Math.log10(max));
  return Math.ceil(max / step) * step;
}

/** points: [{ label, value }] */
export function barChart(points, label) {
  const max = niceMax(points.map((p) => p.value));
  const plotWidth = width - pad.left - pad.right;
  const plotHeight = height - pad.top - pad.bottom;
  const slot = plotWidth / Math.max(points.length, 1);
  const bars = points.map((p, i) => {
    const barHeight = (p.value / max) * plotHeight;
    return s(
      'rect',
      {
        x: pad.left + i * slot + 1,
        y: height - pad.bottom - barHeight,
        width: Math.max(1, slot - 2),
        height: barHeight,
        class: 'bar',
      },
      s('title', {}, `${p.label}: ${p.value}`),
    );
  });
  return s(
    'svg',
    { class: 'chart', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label },
    frame(max, points[0]?.label ?? '', points.at(-1)?.label ?? '', label),
    bars,
  );
}

/** points: [{ label, value }] in time order */
export function lineChart(points, label) {
  const max = niceMax(points.map((p) => p.value));
  const plotWidth = width - pad.left - pad.right;
  const plotHeight = height - pad.top - pad.bottom;
  const x = (i) => pad.left + (points.length <= 1 ? plotWidth : (i / (points.length - 1)) * plotWidth);
  const y = (v) => height - pad.bottom - (v / max) * plotHeight;
  const path = points
    .map((p, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(p.value).toFixed(1)}`)
    .join(' ');
  const area = points.length > 0 ? `${path} L${x(points.length - 1)},${y(0)} L${x(0)},${y(0)} Z` : '';
  return s(
    'svg',
    { class: 'chart', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label },
    frame(max, points[0]?.label ?? '', points.at(-1)?.label ?? '', label),
    s('path', { d: area, class: 'area' }),
    s('path', { d: path, class: 'line' }),
    points.length === 1 ? s('circle', { cx: x(0), cy: y(points[0].value), r: 3, class: 'dot' }) : null,
  );
}
