// The outbox: backlog and lag now, throughput and backlog over time, and each handler's
// standing with its failures. Refreshes every few seconds while open.
import { api } from '../api.js';
import { barChart, lineChart } from '../charts.js';
import { age, empty, h, show } from '../dom.js';

const refreshMs = 5000;

export async function renderOutbox(view) {
  const draw = async () => {
    const [stats, series] = await Promise.all([api('/api/stats'), api('/api/timeseries')]);
    const dead = stats.consumers.reduce((sum, c) => sum + c.dead, 0);
    const perMinute = series.eventsPerMinute.map((m) => ({ label: m.minute.slice(11, 16), value: m.count }));
    const backlog = series.backlog.map((b) => ({ label: b.at.slice(11, 19), value: b.pending }));
    show(
      view,
      h('h1', {}, 'Outbox', h('small', {}, 'refreshes every 5 s')),
      h(
        'div',
        { class: 'tiles' },
        tile('Pending deliveries', String(stats.pending), stats.pending ? 'warn' : 'ok'),
        tile(
          'Lag (oldest pending)',
          age(stats.lagMs),
          stats.lagMs > 60_000 ? 'bad' : stats.lagMs ? 'warn' : 'ok',
        ),
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
          barChart(perMinute, 'Events per minute'),
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
              `pending deliveries, sampled every ${Math.round(series.intervalMs / 1000)} s since the inspector started`,
            ),
          ),
          backlog.length ? lineChart(backlog, 'Pending deliveries over time') : empty('No samples yet.'),
        ),
      ),
      h(
        'section',
        { class: 'card' },
        h('h2', {}, 'Handlers'),
        stats.consumers.length === 0
          ? empty('No handler has deliveries in this store yet.')
          : h(
              'table',
              { class: 'handlers' },
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  ['Handler', 'Pending', 'Done', 'Failed (dead)', 'Oldest pending'].map((c) =>
                    h('th', {}, c),
                  ),
                ),
              ),
              h(
                'tbody',
                {},
                stats.consumers.map((c) =>
                  h(
                    'tr',
                    { 'data-consumer': c.consumer },
                    h('td', {}, h('strong', {}, c.consumer)),
                    h('td', { class: c.pending ? 'warn' : '' }, String(c.pending)),
                    h('td', {}, String(c.done)),
                    h(
                      'td',
                      {},
                      c.dead ? h('a', { href: '#/dead-letters', class: 'bad' }, String(c.dead)) : '0',
                    ),
                    h('td', {}, c.pending ? age(c.oldestPendingAgeMs) : '—'),
                  ),
                ),
              ),
            ),
      ),
    );
  };
  await draw();
  const timer = setInterval(() => draw().catch(() => undefined), refreshMs);
  return () => clearInterval(timer);
}

function tile(label, value, tone) {
  return h(
    'div',
    { class: `tile ${tone}` },
    h('div', { class: 'tile-value' }, value),
    h('div', { class: 'tile-label' }, label),
  );
}
