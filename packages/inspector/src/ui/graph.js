// Draws a causation graph as SVG, laid out by depth: causes to the left, the focused event
// in the middle column, what it caused to the right; each column stacks its events in the
// order they happened. Every node links to its event page. Boxes grow to their labels (up
// to a limit); a label still too long is cut with an ellipsis, and the node's title holds
// the whole type.
import { s, subjectText, time } from './dom.js';

const minNodeWidth = 180;
const maxNodeWidth = 340;
const textInset = 12;
const nodeHeight = 58;
const columnGap = 56;
const rowGap = 18;
const pad = 16;

// Text widths by the page's own fonts (the same as .node-type and .node-meta in visuals.css).
let canvas;
function measurer(font) {
  canvas ??= document.createElement('canvas');
  const context = canvas.getContext('2d');
  return (text) => {
    if (!context) return text.length * 8;
    context.font = font;
    return context.measureText(text).width;
  };
}

/** `text`, or its longest prefix with `…` that fits in `width` pixels. */
function fit(text, width, measure) {
  if (measure(text) <= width) return text;
  let cut = text.length - 1;
  while (cut > 1 && measure(`${text.slice(0, cut)}…`) > width) cut--;
  return `${text.slice(0, cut)}…`;
}

function fonts() {
  const family = getComputedStyle(document.body).fontFamily || 'sans-serif';
  const mono = getComputedStyle(document.documentElement).getPropertyValue('--mono').trim() || 'monospace';
  return { type: measurer(`600 13px ${family}`), meta: measurer(`11.5px ${mono}`) };
}

export function drawGraph(graph) {
  const measure = fonts();
  // Time of day to the second, with the zone; the node's title has the full timestamp.
  const metaOf = (node) =>
    `${subjectText(node.subject)} · ${time(node.occurredAt).slice(11).replace(/\.\d+/, '')}`;
  // Each column is as wide as its widest label (within limits). Round up a little: SVG text
  // may render a pixel wider than the canvas measures.
  const widthOf = (node) =>
    Math.ceil(Math.max(measure.type(node.type), measure.meta(metaOf(node)))) + textInset * 2 + 4;
  const columns = new Map();
  for (const node of graph.nodes) {
    const column = columns.get(node.depth) ?? [];
    column.push(node);
    columns.set(node.depth, column);
  }
  const place = new Map();
  let tallest = 0;
  let x = pad;
  for (const depth of [...columns.keys()].sort((a, b) => a - b)) {
    const column = columns.get(depth);
    const columnWidth = Math.min(maxNodeWidth, Math.max(minNodeWidth, ...column.map(widthOf)));
    column.sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));
    column.forEach((node, row) => {
      place.set(node.id, { x, y: pad + row * (nodeHeight + rowGap), width: columnWidth });
    });
    x += columnWidth + columnGap;
    tallest = Math.max(tallest, column.length);
  }
  const width = x - columnGap + pad;
  const height = pad * 2 + tallest * nodeHeight + (tallest - 1) * rowGap;

  const edges = graph.edges.map(({ from, to }) => {
    const a = place.get(from);
    const b = place.get(to);
    if (!a || !b) return null;
    const x1 = a.x + a.width;
    const y1 = a.y + nodeHeight / 2;
    const x2 = b.x;
    const y2 = b.y + nodeHeight / 2;
    const bend = (x2 - x1) / 2;
    return s('path', {
      class: 'edge',
      d: `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}`,
      'marker-end': 'url(#arrow)',
      'data-from': from,
      'data-to': to,
    });
  });

  const nodes = graph.nodes.map((node) => {
    const { x, y, width: nodeWidth } = place.get(node.id);
    const room = nodeWidth - textInset * 2 - 4;
    const focus = node.id === graph.focus;
    return s(
      'a',
      {
        href: `#/events/${encodeURIComponent(node.id)}`,
        class: `graph-node${focus ? ' focus' : ''}${node.depth < 0 ? ' cause' : ''}`,
        'data-id': node.id,
        'data-type': node.type,
      },
      s('title', {}, `${node.type}\n${node.id}\n${node.occurredAt}`),
      s('rect', { x, y, width: nodeWidth, height: nodeHeight, rx: 8 }),
      s('text', { x: x + textInset, y: y + 22, class: 'node-type' }, fit(node.type, room, measure.type)),
      s('text', { x: x + textInset, y: y + 40, class: 'node-meta' }, fit(metaOf(node), room, measure.meta)),
    );
  });

  return s(
    'svg',
    {
      class: 'graph',
      width,
      height,
      viewBox: `0 0 ${width} ${height}`,
      role: 'img',
      'aria-label': `Causation graph of ${graph.nodes.length} events`,
    },
    s(
      'defs',
      {},
      s(
        'marker',
        {
          id: 'arrow',
          viewBox: '0 0 10 10',
          refX: 10,
          refY: 5,
          markerWidth: 7,
          markerHeight: 7,
          orient: 'auto',
        },
        s('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrow' }),
      ),
    ),
    edges,
    nodes,
  );
}
