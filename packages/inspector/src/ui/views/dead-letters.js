// Dead letters: what was given up on, by which handler, and why; one click redrives one
// (or all) when the inspector was started with --allow-redrive, and the redriven
// deliveries stay in view until their retry is done or dead again. Below them, the dead
// letters this service's consumer received (received-dead-letters.js).
import { api } from '../api.js';
import { empty, h, scrollable, show, subjectText, time } from '../dom.js';
import { attemptHistory } from './attempts.js';
import { receivedSection } from './received-dead-letters.js';
import { watchRedriven } from './redriven.js';

export async function renderDeadLetters(view, _route, _state) {
  let stopWatching;
  let panel = null;
  let message = '';
  let disposed = false;

  const draw = async () => {
    const { deadLetters, receivedDeadLetters = [], allowRedrive } = await api('/api/dead-letters?limit=1000');
    // A late refresh (a watched retry went dead) must not draw over the next page.
    if (disposed) return;
    const notice = h('p', { class: 'notice', role: 'status' }, message);
    const redrive = async (letters, button) => {
      button.disabled = true;
      try {
        const body =
          letters.length === 1
            ? { eventId: letters[0].eventId, consumer: letters[0].consumer }
            : { refs: letters.map(({ eventId, consumer }) => ({ eventId, consumer })) };
        const { redriven } = await api('/api/dead-letters/redrive', { method: 'POST', body });
        window.dispatchEvent(new Event('tidings:changed'));
        message = `Redrove ${redriven} deliver${redriven === 1 ? 'y' : 'ies'}: the relay will retry; the outcome shows below.`;
        stopWatching?.();
        stopWatching = watchRedriven(letters, (fresh, wentDead) => {
          panel = fresh;
          view.querySelector('.redriven')?.replaceWith(fresh);
          if (wentDead) {
            window.dispatchEvent(new Event('tidings:changed'));
            void draw().catch(() => undefined);
          }
        });
        await draw();
      } catch (error) {
        notice.textContent = error.message;
        notice.classList.add('error');
        button.disabled = false;
      }
    };
    const readOnlyTitle = 'Read-only: restart the inspector with --allow-redrive to redrive.';
    const redriveButton = (text, letters, extra = {}) =>
      h(
        'button',
        {
          type: 'button',
          class: 'redrive',
          disabled: !allowRedrive,
          title: allowRedrive ? undefined : readOnlyTitle,
          onclick: (e) => redrive(letters, e.currentTarget),
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
        h('small', {}, `${deadLetters.length + receivedDeadLetters.length} given up on`),
        deadLetters.length > 0 ? redriveButton('Redrive all', deadLetters, { class: 'redrive all' }) : null,
      ),
      notice,
      allowRedrive ? null : h('p', { class: 'dim' }, readOnlyTitle),
      panel,
      deadLetters.length === 0 && receivedDeadLetters.length === 0
        ? empty('No dead letters. Every delivery was handled or is still being tried.')
        : deadLetters.length === 0
          ? null
          : scrollable(
              h(
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
                      h(
                        'td',
                        {},
                        h('a', { href: `#/events/${encodeURIComponent(d.eventId)}` }, d.event.type),
                      ),
                      h('td', { class: 'mono' }, subjectText(d.event.subject)),
                      h('td', { class: 'error-text' }, d.lastError ?? '—', attemptHistory(d.history)),
                      h('td', { 'data-label': 'Attempts' }, String(d.attempts)),
                      h(
                        'td',
                        { class: 'mono dim', 'data-label': 'Given up' },
                        d.finishedAt ? time(d.finishedAt) : '—',
                      ),
                      h('td', {}, redriveButton('Redrive', [d])),
                    ),
                  ),
                ),
              ),
            ),
      receivedSection(receivedDeadLetters, {
        allowRedrive,
        onChanged: async (text) => {
          message = text;
          window.dispatchEvent(new Event('tidings:changed'));
          await draw();
        },
      }),
    );
  };

  await draw();
  return () => {
    disposed = true;
    stopWatching?.();
  };
}
