// The inspector page: a hash router over four views. Each view renders into <main> and may
// return a function that stops its refresh timer when the user navigates away.
import { api } from './api.js';
import { h } from './dom.js';
import { renderDeadLetters } from './views/dead-letters.js';
import { renderEvent } from './views/event.js';
import { renderOutbox } from './views/outbox.js';
import { renderTimeline } from './views/timeline.js';

const view = document.getElementById('view');
const state = { info: { allowRedrive: false, definitions: [], store: '' } };
let dispose;

function routeOf(hash) {
  const [path, query = ''] = hash.replace(/^#/, '').split('?');
  const params = new URLSearchParams(query);
  const event = /^\/events\/([^/]+)$/.exec(path ?? '');
  if (event) return { name: 'event', id: decodeURIComponent(event[1]), params };
  if (path === '/outbox') return { name: 'outbox', params };
  if (path === '/dead-letters') return { name: 'dead-letters', params };
  return { name: 'timeline', params };
}

async function render() {
  dispose?.();
  dispose = undefined;
  const route = routeOf(location.hash);
  for (const link of document.querySelectorAll('[data-nav]')) {
    const active =
      link.dataset.nav === route.name || (route.name === 'event' && link.dataset.nav === 'timeline');
    link.classList.toggle('active', active);
  }
  view.replaceChildren(h('p', { class: 'loading' }, 'Loading…'));
  try {
    const views = {
      timeline: renderTimeline,
      event: renderEvent,
      outbox: renderOutbox,
      'dead-letters': renderDeadLetters,
    };
    dispose = await views[route.name](view, route, state);
  } catch (error) {
    view.replaceChildren(h('div', { class: 'error', role: 'alert' }, error.message));
  }
  refreshDeadCount();
}

async function refreshDeadCount() {
  const counter = document.getElementById('dead-count');
  try {
    const { deadLetters, receivedDeadLetters = [] } = await api('/api/dead-letters?limit=1000');
    const count = deadLetters.length + receivedDeadLetters.length;
    counter.textContent = String(count);
    counter.hidden = count === 0;
  } catch {
    counter.hidden = true;
  }
}

async function start() {
  try {
    state.info = await api('/api/info');
  } catch (error) {
    view.replaceChildren(h('div', { class: 'error', role: 'alert' }, error.message));
    return;
  }
  document.getElementById('store-label').textContent = state.info.store;
  const mode = document.getElementById('mode');
  mode.textContent = state.info.allowRedrive ? 'redrive allowed' : 'read-only';
  mode.classList.add(state.info.allowRedrive ? 'writable' : 'readonly');
  window.addEventListener('hashchange', render);
  window.addEventListener('tidings:changed', refreshDeadCount);
  await render();
}

start();
