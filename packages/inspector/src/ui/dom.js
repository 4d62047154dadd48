// Tiny DOM helpers: build elements from data (text is always set as text, never as HTML,
// so event payloads cannot inject markup), and format values for people.

const svgNs = 'http://www.w3.org/2000/svg';

function append(node, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function setAttributes(node, attrs) {
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
}

/** An HTML element: `h('a', { href: '#/' }, 'Home')`. */
export function h(tag, attrs, ...children) {
  const node = document.createElement(tag);
  setAttributes(node, attrs);
  return append(node, children);
}

/** An SVG element. */
export function s(tag, attrs, ...children) {
  const node = document.createElementNS(svgNs, tag);
  setAttributes(node, attrs);
  return append(node, children);
}

/** Replaces a container's children, skipping empty ones (null, undefined, false). */
export function show(container, ...children) {
  container.replaceChildren();
  append(container, children);
}

/**
 * `2026-11-26 07:00:05.123 UTC`: the one time format of the page and the CLI (its twin is
 * `formatTime` in cli/terminal.ts; the browser test checks they agree). Takes an ISO string
 * or milliseconds since epoch; always UTC, always with the zone.
 */
export function time(value) {
  if (value === undefined || value === null || value === '') return '';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return `${date.toISOString().replace('T', ' ').replace('Z', '')} UTC`;
}

export function subjectText(subject) {
  return subject ? `${subject.type}:${subject.id}` : '—';
}

export function shortId(id) {
  return id ? `…${id.slice(-12)}` : '';
}

export function age(ms) {
  if (!ms) return '—';
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${seconds % 60}s`;
  const hours = Math.floor(minutes / 60);
  return `${hours}h ${minutes % 60}m`;
}

export function badge(status, text = status) {
  return h('span', { class: `badge ${status}` }, text);
}

/** Wraps a table so a narrow window scrolls it sideways instead of the whole page. */
export function scrollable(table) {
  return h('div', { class: 'table-scroll' }, table);
}

export function empty(text) {
  return h('p', { class: 'empty' }, text);
}
