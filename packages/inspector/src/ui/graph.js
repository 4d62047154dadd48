// Draws a causation graph as SVG, laid out by depth: causes to the left, the focused event
// in the middle column, what it caused to the right; each column stacks its events in the
// order they happened. Every node links to its event page.
import { s, subjectText, time } from './dom.js';

const nodeWidth = 210;
const nodeHeight = 58;
const columnGap = 70;
const rowGap = 18;
const pad = 16;

export function drawGraph(graph) {
  const minDepth = Math.min(...graph.nodes.map((n) => n.depth));
  const columns = new Map();
  for (const node of graph.nodes) {
    const column = columns.get(node.depth) ?? [];
    column.push(node);
    columns.set(node.depth, column);
  }
  const place = new Map();
  let tallest = 0;
  for (const [depth, column] of columns) {
    column.sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));
    column.forEach((node, row) => {
      place.set(node.id, {
        x: pad + (depth - minDepth) * (nodeWidth + columnGap),
        y: pad + row * (nodeHeight + rowGap),
      });
    });
    tallest = Math.max(tallest, column.length);
  }
  const width = pad * 2 + columns.size * nodeWidth + (columns.size - 1) * columnGap;
  const height = pad * 2 + tallest * nodeHeight + (tallest - 1) * rowGap;

  const edges = graph.edges.map(({ from, to }) => {
    const a = place.get(from);
    const b = place.get(to);
    if (!a || !b) return null;
    const x1 = a.x + nodeWidth;
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
    const { x, y } = place.get(node.id);
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
      s('text', { x: x + 12, y: y + 22, class: 'node-type' }, clip(node.type, 26)),
      s(
        'text',
        { x: x + 12, y: y + 40, class: 'node-meta' },
        clip(`${subjectText(node.subject)} · ${time(node.occurredAt).slice(11)}`, 32),
      ),
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

function clip(text, max) {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
