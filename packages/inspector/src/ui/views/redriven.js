// What became of redriven dead letters: each one's delivery, read again every second until
// it is done or dead again, with its attempt history. Redrive only makes a delivery pending;
// whether the retry works is what the user needs to see next.
import { api } from '../api.js';
import { badge, h, time } from '../dom.js';
import { attemptHistory } from './attempts.js';

const everyMs = 1000;

/**
 * Watches `letters` (dead letters just redriven). `onChange(panel, settledDead)` gets a
 * fresh panel after every read, and whether one went back to the dead letters.
 */
export function watchRedriven(letters, onChange) {
  const items = letters.map((d) => ({
    eventId: d.eventId,
    consumer: d.consumer,
    type: d.event.type,
    failuresBefore: d.history.length,
    history: d.history,
    delivery: undefined,
  }));
  let timer;
  let stopped = false;
  const read = async () => {
    let wentDead = false;
    for (const item of items) {
      if (settled(item)) continue;
      const { deliveries } = await api(`/api/events/${encodeURIComponent(item.eventId)}`);
      item.delivery = deliveries.find((d) => d.consumer === item.consumer);
      if (item.delivery?.status === 'dead') wentDead = true;
    }
    if (stopped) return;
    onChange(redrivenPanel(items), wentDead);
    if (items.every(settled)) stop();
  };
  const stop = () => {
    stopped = true;
    clearTimeout(timer);
  };
  // The next read is scheduled when this one ends, so slow reads never overlap.
  const tick = () =>
    read()
      .catch(() => undefined)
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, everyMs);
      });
  onChange(redrivenPanel(items), false);
  void tick();
  return stop;
}

function settled(item) {
  return item.delivery?.status === 'done' || item.delivery?.status === 'dead';
}

function outcome(item) {
  const d = item.delivery;
  if (!d) return [badge('pending'), ' waiting for the relay…'];
  const failedAgain = d.history.length > item.failuresBefore;
  if (d.status === 'done') return [badge('done'), ' delivered on retry'];
  if (d.status === 'dead') return [badge('dead'), ' failed again, back in the dead letters: ', d.lastError];
  if (failedAgain) {
    const next = d.nextAttemptAt ? `, next try ${time(d.nextAttemptAt)}` : '';
    return [badge('pending'), ` failed again${next}: `, d.lastError];
  }
  return [badge('pending'), ' waiting for the relay…'];
}

function redrivenPanel(items) {
  return h(
    'section',
    { class: 'card redriven' },
    h('h2', {}, 'Redriven', h('small', {}, 'what happens next, live')),
    h(
      'ul',
      {},
      items.map((item) =>
        h(
          'li',
          {
            'data-event-id': item.eventId,
            'data-consumer': item.consumer,
            'data-status': item.delivery?.status ?? 'pending',
          },
          h('strong', {}, item.consumer),
          ' on ',
          h('a', { href: `#/events/${encodeURIComponent(item.eventId)}` }, item.type),
          ' — ',
          h('span', { class: 'outcome' }, outcome(item)),
          attemptHistory(item.delivery?.history ?? item.history),
        ),
      ),
    ),
  );
}
