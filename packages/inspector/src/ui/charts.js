// Two small inline-SVG charts: bars for events per minute, a line for the backlog over
// time. Axes are kept minimal: a zero line, the maximum, the first and last x labels (one
// when they are the same) and an x caption that names the zone.
import { s } from './dom.js';

const width = 560;
const height = 184;
const pad = { top: 14, right: 12, bottom: 38, left: 40 };
// Zero sits this far above the axis line, so a backlog of 0 draws a visible line, not the axis.
const zeroLift = 3;

function frame(max, firstLabel, lastLabel, label, caption) {
  const bottom = height - pad.bottom;
  const labelY = bottom + 16;
  const xLabels =
    firstLabel === lastLabel
      ? [s('text', { x: width - pad.right, y: labelY, class: 'tick x', 'text-anchor': 'end' }, lastLabel)]
      : [
          s('text', { x: pad.left, y: labelY, class: 'tick x' }, firstLabel),
          s('text', { x: width - pad.right, y: labelY, class: 'tick x', 'text-anchor': 'end' }, lastLabel),
        ];
  return [
    s('line', { x1: pad.left, x2: width - pad.right, y1: bottom, y2: bottom, class: 'axis' }),
    s('line', { x1: pad.left, x2: width - pad.right, y1: pad.top, y2: pad.top, class: 'grid' }),
    s('text', { x: pad.left - 6, y: pad.top + 4, class: 'tick', 'text-anchor': 'end' }, String(max)),
    s('text', { x: pad.left - 6, y: bottom - zeroLift + 4, class: 'tick', 'text-anchor': 'end' }, '0'),
    ...xLabels,
    s(
      'text',
      { x: (pad.left + width - pad.right) / 2, y: height - 4, class: 'caption', 'text-anchor': 'middle' },
      caption,
    ),
    s('title', {}, label),
  ];
}

function niceMax(values) {
  const max = Math.max(1, ...values);
  const step = 10 ** Math.floor(Math.log10(max));
  return Math.ceil(max / step) * step;
}

/** points: [{ label, value }] */
export function barChart(points, label, caption) {
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
    frame(max, points[0]?.label ?? '', points.at(-1)?.label ?? '', label, caption),
    bars,
  );
}

/** points: [{ label, value }] in time order */
export function lineChart(points, label, caption) {
  const max = niceMax(points.map((p) => p.value));
  const plotWidth = width - pad.left - pad.right;
  const plotHeight = height - pad.top - pad.bottom - zeroLift;
  const x = (i) => pad.left + (points.length <= 1 ? plotWidth : (i / (points.length - 1)) * plotWidth);
  const y = (v) => height - pad.bottom - zeroLift - (v / max) * plotHeight;
  const path = points
    .map((p, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(p.value).toFixed(1)}`)
    .join(' ');
  const area = points.length > 0 ? `${path} L${x(points.length - 1)},${y(0)} L${x(0)},${y(0)} Z` : '';
  return s(
    'svg',
    { class: 'chart', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label },
    frame(max, points[0]?.label ?? '', points.at(-1)?.label ?? '', label, caption),
    s('path', { d: area, class: 'area' }),
    s('path', { d: path, class: 'line' }),
    points.length === 1 ? s('circle', { cx: x(0), cy: y(points[0].value), r: 3, class: 'dot' }) : null,
  );
}
