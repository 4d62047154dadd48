// Dead letters: what was given up on, by which handler, and why; one click redrives one
// (or all) when the inspector was started with --allow-redrive.
import { api } from '../api.js';
import { empty, h, show, subjectText, time } from '../dom.js';

export async function renderDeadLetters(view, _route, state) {
  const { deadLetters, allowRedrive } = await api('/api/dead-letters?limit=1000');
  const notice = h('p', { class: 'notice', role: 'status' });
  const redrive = async (body, button) => {
    button.disabled = true;
    try {
      const { redriven } = await api('/api/dead-letters/redrive', { method: 'POST', body });
      window.dispatchEvent(new Event('tidings:changed'));
      await renderDeadLetters(view, _route, state);
      view.querySelector('.notice').textContent =
        `Redrove ${redriven} deliver${redriven === 1 ? 'y' : 'ies'}: the relay will retry.`;
    } catch (error) {
      notice.textContent = error.message;
      notice.classList.add('error');
      button.disabled = false;
    }
  };
  const readOnlyTitle = 'Read-only: restart the inspector with --allow-redrive to redrive.';
  const redriveButton = (text, body, extra = {}) =>
    h(
      'button',
      {
        type: 'button',
        class: 'redrive',
        disabled: !allowRedrive,
        title: allowRedrive ? undefined : readOnlyTitle,
        onclick: (e) => redrive(body, e.currentTarget),
        ...extra,
      },
      text,
    );

  show(
    view,
    h(
      'h1',
      {},
      'Dead letters',
      h('small', {}, `${deadLetters.length} given up on`),
      deadLetters.length > 0 ? redriveButton('Redrive all', { all: true }, { class: 'redrive all' }) : null,
    ),
    notice,
    allowRedrive ? null : h('p', { class: 'dim' }, readOnlyTitle),
    deadLetters.length === 0
      ? empty('No dead letters. Every delivery was handled or is still being tried.')
      : h(
          'table',
          { class: 'dead-letters' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['Handler', 'Event', 'Subject', 'Reason', 'Attempts', 'Given up', ''].map((c) =>
                h('th', {}, c),
              ),
            ),
          ),
          h(
            'tbody',
            {},
            deadLetters.map((d) =>
              h(
                'tr',
                { 'data-event-id': d.eventId, 'data-consumer': d.consumer },
                h('td', {}, h('strong', {}, d.consumer)),
                h('td', {}, h('a', { href: `#/events/${encodeURIComponent(d.eventId)}` }, d.event.type)),
                h('td', { class: 'mono' }, subjectText(d.event.subject)),
                h('td', { class: 'error-text' }, d.lastError ?? '—'),
                h('td', {}, String(d.attempts)),
                h(
                  'td',
                  { class: 'mono dim' },
                  d.finishedAt ? time(new Date(d.finishedAt).toISOString()) : '—',
                ),
                h('td', {}, redriveButton('Redrive', { eventId: d.eventId, consumer: d.consumer })),
              ),
            ),
          ),
        ),
  );
}
