// One event: its envelope, payload, deliveries per handler (attempts, last error, history)
// and its causation graph (what caused it, what it caused).
import { api } from '../api.js';
import { badge, empty, h, show, subjectText, time } from '../dom.js';
import { drawGraph } from '../graph.js';

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
      graph.truncated ? h('p', { class: 'dim' }, 'Only the first events are shown.') : null,
    ),
    h(
      'div',
      { class: 'columns' },
      h(
        'section',
        { class: 'card' },
        h('h2', {}, 'Envelope'),
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
        : h(
            'table',
            { class: 'deliveries' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['Handler', 'Status', 'Failed attempts', 'Last error', 'Finished'].map((c) => h('th', {}, c)),
              ),
            ),
            h(
              'tbody',
              {},
              deliveries.map((d) =>
                h(
                  'tr',
                  { 'data-consumer': d.consumer },
                  h('td', {}, h('strong', {}, d.consumer)),
                  h('td', {}, badge(d.status)),
                  h('td', {}, String(d.attempts)),
                  h(
                    'td',
                    { class: 'error-text' },
                    d.lastError ?? h('span', { class: 'dim' }, '—'),
                    d.history.length > 1
                      ? h(
                          'details',
                          {},
                          h('summary', {}, `${d.history.length} attempts`),
                          h(
                            'ol',
                            {},
                            d.history.map((a) =>
                              h('li', {}, h('span', { class: 'mono dim' }, time(a.at)), ' ', a.error),
                            ),
                          ),
                        )
                      : null,
                  ),
                  h(
                    'td',
                    { class: 'mono dim' },
                    d.finishedAt ? time(new Date(d.finishedAt).toISOString()) : '—',
                  ),
                ),
              ),
            ),
          ),
    ),
  );
}
