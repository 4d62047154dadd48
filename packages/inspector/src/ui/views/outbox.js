// The outbox: backlog and lag now, throughput and backlog over time, and each handler's
// standing with its failures. Refreshes every few seconds while open.
import { api } from '../api.js';
import { barChart, lineChart } from '../charts.js';
import { age, empty, h, scrollable, show } from '../dom.js';

const refreshMs = 5000;

export async function renderOutbox(view) {
  const draw = async () => {
    const [stats, series] = await Promise.all([api('/api/stats'), api('/api/timeseries')]);
    const dead = stats.consumers.reduce((sum, c) => sum + c.dead, 0);
    const perMinute = series.eventsPerMinute.map((m) => ({ label: m.minute.slice(11, 16), value: m.count }));
    const backlog = series.backlog.map((b) => ({ label: b.at.slice(11, 19), value: b.pending }));
    const retrying = stats.consumers.reduce((sum, c) => sum + (c.retrying ?? 0), 0);
    show(
      view,
      h('h1', {}, 'Outbox', h('small', {}, 'refreshes every 5 s')),
      h(
        'div',
        { class: 'tiles' },
        tile('Pending deliveries', String(stats.pending), stats.pending ? 'warn' : 'ok'),
        // No lag to speak of when nothing is pending: a neutral dash, not a green one.
        stats.pending
          ? tile('Lag (oldest pending)', age(stats.lagMs), stats.lagMs > 60_000 ? 'bad' : 'warn')
          : tile('Lag (oldest pending)', '—', 'none', 'nothing pending'),
        tile('Retrying', String(retrying), retrying ? 'warn' : 'ok', 'failed, will retry'),
        tile('Dead letters', String(dead), dead ? 'bad' : 'ok'),
        tile('Handlers', String(stats.consumers.length), ''),
      ),
      h(
        'div',
        { class: 'columns' },
        h(
          'section',
          { class: 'card' },
          h('h2', {}, 'Events per minute', h('small', {}, 'last hour, by occurredAt')),
          barChart(perMinute, 'Events per minute', 'minute (UTC)'),
        ),
        h(
          'section',
          { class: 'card' },
          h(
            'h2',
            {},
            'Backlog',
            h(
              'small',
              {},
              `pending deliveries, sampled every ${every(series.intervalMs)} since the inspector started`,
            ),
          ),
          backlog.length
            ? lineChart(backlog, 'Pending deliveries over time', 'time (UTC)')
            : empty('No samples yet.'),
        ),
      ),
      h(
        'section',
        { class: 'card' },
        h('h2', {}, 'Handlers'),
        stats.consumers.length === 0
          ? empty('No handler has deliveries in this store yet.')
          : scrollable(
              h(
                'table',
                { class: 'handlers' },
                h(
                  'thead',
                  {},
                  h(
                    'tr',
                    {},
                    h('th', {}, 'Handler'),
                    h('th', {}, 'Pending'),
                    h('th', {}, 'Done'),
                    h(
                      'th',
                      { title: failedTitle },
                      'Failed',
                      h('small', { class: 'th-note' }, ' (retrying · dead)'),
                    ),
                    h('th', {}, 'Oldest pending'),
                  ),
                ),
                h('tbody', {}, stats.consumers.map(handlerRow)),
              ),
            ),
      ),
    );
  };
  await draw();
  const timer = setInterval(() => draw().catch(() => undefined), refreshMs);
  return () => clearInterval(timer);
}

function every(ms) {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`;
}

const failedTitle =
  'Deliveries that failed: those still retrying (pending after a failed attempt) and those given up on (dead letters).';

function handlerRow(c) {
  const retrying = c.retrying ?? 0;
  return h(
    'tr',
    { 'data-consumer': c.consumer },
    h('td', {}, h('strong', {}, c.consumer)),
    h('td', { class: c.pending ? 'warn' : '' }, String(c.pending)),
    h('td', {}, String(c.done)),
    h(
      'td',
      { class: 'failed' },
      h('span', { class: retrying + c.dead ? 'bad' : '' }, String(retrying + c.dead)),
      h(
        'small',
        { class: 'dim' },
        ' (',
        c.retrying === undefined ? 'retrying unknown' : `${retrying} retrying`,
        ' · ',
        c.dead ? h('a', { href: '#/dead-letters', class: 'bad' }, `${c.dead} dead`) : '0 dead',
        ')',
      ),
    ),
    h('td', {}, c.pending ? age(c.oldestPendingAgeMs) : '—'),
  );
}

function tile(label, value, tone, note) {
  return h(
    'div',
    { class: `tile ${tone}` },
    h('div', { class: 'tile-value' }, value),
    h('div', { class: 'tile-label' }, label, note ? h('span', { class: 'tile-note' }, ` · ${note}`) : null),
  );
}
