// One event: its envelope, payload, deliveries per handler (attempts, last error, history)
// and its causation graph (what caused it, what it caused).
import { api } from '../api.js';
import { badge, empty, h, scrollable, show, subjectText, time } from '../dom.js';
import { drawGraph } from '../graph.js';
import { attemptHistory } from './attempts.js';

export async function renderEvent(view, route) {
  const [detail, graph] = await Promise.all([
    api(`/api/events/${encodeURIComponent(route.id)}`),
    api(`/api/events/${encodeURIComponent(route.id)}/graph`),
  ]);
  const { event, deliveries, position, description } = detail;
  const link = (id) => h('a', { href: `#/events/${encodeURIComponent(id)}`, class: 'mono' }, id);
  const envelope = [
    ['Id', h('span', { class: 'mono' }, event.id)],
    ['Type', h('strong', {}, event.type), description ? h('div', { class: 'dim' }, description) : null],
    ['Version', String(event.version)],
    ['Occurred', h('span', { class: 'mono' }, time(event.occurredAt))],
    [
      'Subject',
      h('span', { class: 'mono' }, subjectText(event.subject)),
      event.subject?.sequence ? ` #${event.subject.sequence}` : '',
    ],
    [
      'Story',
      h(
        'a',
        { href: `#/?correlation=${encodeURIComponent(event.correlationId)}`, class: 'mono' },
        event.correlationId,
      ),
    ],
    [
      'Caused by',
      event.causationId ? link(event.causationId) : h('span', { class: 'dim' }, '— (first of its story)'),
    ],
    ['Position', String(position)],
    ...Object.entries(event.metadata).map(([key, value]) => [
      `meta: ${key}`,
      h('span', { class: 'mono' }, value),
    ]),
  ];

  show(
    view,
    h('p', { class: 'crumbs' }, h('a', { href: '#/' }, '← Timeline')),
    h('h1', {}, event.type, h('small', { class: 'mono' }, event.id)),
    h(
      'section',
      { class: 'card graph-card' },
      h(
        'h2',
        {},
        'Causation',
        h('small', {}, 'causes on the left, what it caused on the right — click an event to follow it'),
      ),
      h('div', { class: 'graph-scroll', 'data-testid': 'causation-graph' }, drawGraph(graph)),
      graph.nodes.length === 1 ? h('p', { class: 'dim graph-alone' }, aloneText(event)) : null,
      graph.truncated ? h('p', { class: 'dim' }, 'Only the first events are shown.') : null,
    ),
    h(
      'div',
      { class: 'columns' },
      h(
        'section',
        { class: 'card' },
        h('h2', {}, 'Envelope'),
        scrollable(
          h(
            'table',
            { class: 'kv' },
            h(
              'tbody',
              {},
              envelope.map(([key, ...value]) => h('tr', {}, h('th', {}, key), h('td', {}, value))),
            ),
          ),
        ),
      ),
      h(
        'section',
        { class: 'card' },
        h('h2', {}, 'Payload'),
        h('pre', { class: 'payload' }, JSON.stringify(event.payload, null, 2)),
      ),
    ),
    h(
      'section',
      { class: 'card' },
      h('h2', {}, 'Deliveries', h('small', {}, 'one per handler or route')),
      deliveries.length === 0
        ? empty('No consumer was owed this event: it is only in the audit log.')
        : scrollable(
            h(
              'table',
              { class: 'deliveries' },
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  ['Handler', 'Status', 'Failed attempts', 'Last error', 'Finished'].map((c) =>
                    h('th', {}, c),
                  ),
                ),
              ),
              h('tbody', {}, deliveries.map(deliveryRow)),
            ),
          ),
    ),
  );
}

/** What a lone node means: nothing in this store caused it, and it caused nothing yet. */
function aloneText(event) {
  const cause = event.causationId
    ? `Its cause (${event.causationId}) is not in this store`
    : 'It is the first event of its story';
  return `${cause}, and no handler has published an event because of it yet. Follow-up events appear here as they are recorded.`;
}

function deliveryRow(d) {
  // A success keeps its past failures in the history; only a delivery still failing shows its error in red.
  const failing = d.status !== 'done' && d.lastError;
  return h(
    'tr',
    { 'data-consumer': d.consumer },
    h('td', {}, h('strong', {}, d.consumer)),
    h('td', {}, badge(d.status)),
    h('td', {}, String(d.attempts)),
    h(
      'td',
      { class: failing ? 'error-text' : 'last-error' },
      failing
        ? d.lastError
        : h('span', { class: 'dim' }, d.attempts ? `— (done after ${d.attempts} failed)` : '—'),
      attemptHistory(d.history),
    ),
    h('td', { class: 'mono dim' }, d.finishedAt ? time(d.finishedAt) : '—'),
  );
}
