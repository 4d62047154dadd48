// A delivery's failed attempts, oldest first, shown whatever its status now: on the event
// page and for a redriven dead letter, from the first failure on.
import { h, time } from '../dom.js';

export function attemptHistory(history) {
  if (history.length === 0) return null;
  return h(
    'details',
    { class: 'history', open: history.length <= 3 },
    h('summary', {}, `${history.length} failed attempt${history.length === 1 ? '' : 's'}`),
    h(
      'ol',
      {},
      history.map((a) => h('li', {}, h('span', { class: 'mono dim' }, time(a.at)), ' ', a.error)),
    ),
  );
}
