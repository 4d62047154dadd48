// The timeline: events newest first, filtered by type, subject, story (correlation) and
// time; a quick search narrows the loaded rows as you type. A filter the API refuses (a
// bad date, say) shows its error beside the form, which keeps what was typed.
import { api } from '../api.js';
import { badge, empty, h, scrollable, shortId, show, subjectText, time } from '../dom.js';

const fields = [
  ['type', 'Type', 'e.g. shop.OrderPlaced'],
  ['subject', 'Subject', 'e.g. Order:o-1001'],
  ['correlation', 'Story (correlation id)', ''],
  ['since', 'Since (UTC)', 'e.g. 2026-11-26T07:00'],
  ['until', 'Until (UTC)', ''],
];

export async function renderTimeline(view, route, state) {
  const params = route.params;
  const query = new URLSearchParams({ order: 'desc', limit: '200' });
  for (const [name] of fields) if (params.get(name)) query.set(name, params.get(name));
  let events = [];
  let refused;
  try {
    ({ events } = await api(`/api/events?${query}`));
  } catch (error) {
    if (error.status !== 400) throw error;
    refused = error.message;
  }

  const types = new Set([...state.info.definitions.map((d) => d.type), ...events.map((e) => e.event.type)]);
  const form = h(
    'form',
    { class: 'filters', onsubmit: (e) => applyFilters(e, form) },
    fields.map(([name, label, placeholder]) =>
      h(
        'label',
        {},
        h('span', {}, label),
        h('input', {
          name,
          value: params.get(name) ?? '',
          placeholder,
          list: name === 'type' ? 'known-types' : undefined,
          autocomplete: 'off',
        }),
      ),
    ),
    h(
      'datalist',
      { id: 'known-types' },
      [...types].sort().map((t) => h('option', { value: t })),
    ),
    h('button', { type: 'submit' }, 'Filter'),
    h('a', { class: 'button ghost', href: '#/' }, 'Clear'),
    refused ? h('p', { class: 'error filter-error', role: 'alert' }, refused) : null,
  );

  // The API's message starts with the field it refused ("since "yesterday" is not a date…").
  const refusedField = refused && fields.find(([name]) => refused.startsWith(`${name} `))?.[0];
  if (refusedField) form.querySelector(`input[name="${refusedField}"]`)?.setAttribute('aria-invalid', 'true');

  const search = h('input', {
    type: 'search',
    class: 'search',
    placeholder: 'Search loaded events (type, subject, id, payload)…',
    'aria-label': 'Search events',
  });
  const rows = events.map((row) => eventRow(row));
  const tbody = h('tbody', {}, rows);
  search.addEventListener('input', () => {
    const needle = search.value.trim().toLowerCase();
    events.forEach((row, i) => {
      rows[i].hidden = needle !== '' && !JSON.stringify(row.event).toLowerCase().includes(needle);
    });
  });

  show(
    view,
    h(
      'h1',
      {},
      'Timeline',
      h(
        'small',
        {},
        refused
          ? 'nothing shown: correct the filter'
          : `${events.length} event${events.length === 1 ? '' : 's'}, newest first`,
      ),
    ),
    form,
    refused ? null : search,
    refused
      ? null
      : events.length === 0
        ? empty('No events match these filters.')
        : scrollable(
            h(
              'table',
              { class: 'events' },
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  ['Occurred', 'Type', 'Subject', 'Deliveries', 'Event', 'Caused by'].map((c) =>
                    h('th', {}, c),
                  ),
                ),
              ),
              tbody,
            ),
          ),
  );
}

function eventRow({ event, deliveries }) {
  const link = `#/events/${encodeURIComponent(event.id)}`;
  return h(
    'tr',
    { 'data-event-id': event.id },
    h('td', { class: 'mono dim' }, time(event.occurredAt)),
    h('td', {}, h('a', { href: link, class: 'type' }, event.type)),
    h('td', { class: 'mono' }, subjectText(event.subject)),
    h(
      'td',
      {},
      deliveries.done ? badge('done', `${deliveries.done} done`) : null,
      deliveries.pending ? badge('pending', `${deliveries.pending} pending`) : null,
      deliveries.dead ? badge('dead', `${deliveries.dead} dead`) : null,
      !deliveries.done && !deliveries.pending && !deliveries.dead
        ? h('span', { class: 'dim' }, 'audit only')
        : null,
    ),
    h('td', { class: 'mono' }, h('a', { href: link, title: event.id }, shortId(event.id))),
    h(
      'td',
      { class: 'mono' },
      event.causationId
        ? h(
            'a',
            { href: `#/events/${encodeURIComponent(event.causationId)}`, title: event.causationId },
            shortId(event.causationId),
          )
        : h('span', { class: 'dim' }, '—'),
    ),
  );
}

function applyFilters(submit, form) {
  submit.preventDefault();
  const params = new URLSearchParams();
  for (const [name, value] of new FormData(form))
    if (String(value).trim()) params.set(name, String(value).trim());
  location.hash = `#/?${params}`;
}
