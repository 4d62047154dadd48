// Received dead letters: messages this service's consumer gave up on (undecodable, invalid,
// or retries exhausted), kept in its store with the original message. A redrive here is a
// request: the consumer's redrive loop republishes the message to the handler's group and
// marks it redriven, after which it leaves this list.
import { api } from '../api.js';
import { badge, h, scrollable, time } from '../dom.js';

const readOnlyTitle = 'Read-only: restart the inspector with --allow-redrive to redrive.';

/** The section for `letters`; `onChanged(message)` runs after a redrive request. */
export function receivedSection(letters, { allowRedrive, onChanged }) {
  if (letters.length === 0) return null;
  const notice = h('p', { class: 'notice', role: 'status' });
  const request = async (body, button) => {
    button.disabled = true;
    try {
      const { requested } = await api('/api/dead-letters/redrive', { method: 'POST', body });
      await onChanged(
        `Requested the redrive of ${requested} received dead letter${requested === 1 ? '' : 's'}: ` +
          "the consumer's redrive loop republishes them to their handler's group.",
      );
    } catch (error) {
      notice.textContent = error.message;
      notice.classList.add('error');
      button.disabled = false;
    }
  };
  const button = (text, body, waiting = false) =>
    h(
      'button',
      {
        type: 'button',
        class: 'redrive',
        disabled: !allowRedrive || waiting,
        title: allowRedrive ? undefined : readOnlyTitle,
        onclick: (e) => request(body, e.currentTarget),
      },
      waiting ? 'Requested' : text,
    );
  return h(
    'section',
    { class: 'received' },
    h(
      'h2',
      {},
      'Received by this service’s consumer',
      h('small', {}, `${letters.length} given up on`),
      button('Redrive all received', { received: 'all' }),
    ),
    notice,
    scrollable(
      h(
        'table',
        { class: 'dead-letters received' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Kind', 'Handler', 'Event', 'Key', 'Reason', 'Attempts', 'First / last failure', ''].map((c) =>
              h('th', {}, c),
            ),
          ),
        ),
        h(
          'tbody',
          {},
          letters.map((d) =>
            h(
              'tr',
              { 'data-received-id': d.id, 'data-status': d.status },
              h('td', {}, badge('dead', 'received')),
              h('td', {}, h('strong', {}, d.handler), h('div', { class: 'dim mono' }, d.group)),
              h(
                'td',
                {},
                d.eventType ?? `topic ${d.topic}`,
                h('div', { class: 'dim mono' }, d.eventId ?? d.messageId),
              ),
              h('td', { class: 'mono' }, d.key || '—'),
              h(
                'td',
                { class: 'error-text' },
                d.reason || '—',
                d.code ? h('div', { class: 'dim mono' }, d.code) : null,
              ),
              h('td', { 'data-label': 'Attempts' }, String(d.attempts)),
              h(
                'td',
                { class: 'mono dim', 'data-label': 'First / last failure' },
                h('div', {}, time(d.firstFailedAt)),
                h('div', {}, time(d.lastFailedAt)),
              ),
              h('td', {}, button('Redrive', { receivedId: d.id }, d.status === 'redrive-requested')),
            ),
          ),
        ),
      ),
    ),
  );
}
