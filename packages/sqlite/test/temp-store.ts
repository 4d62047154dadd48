/** Test helpers: a temp directory per test, and plain events to append. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AnyDomainEvent } from '@tidings/core';
import { createEventId, deepFreeze } from '@tidings/core/spi';

export interface TempDir {
  readonly file: (name?: string) => string;
  readonly remove: () => void;
}

export function createTempDir(): TempDir {
  const dir = mkdtempSync(join(tmpdir(), 'tidings-sqlite-'));
  return {
    file: (name = 'outbox.db') => join(dir, name),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function testEvent(subjectId?: string, payload: Record<string, unknown> = {}): AnyDomainEvent {
  const id = createEventId();
  return deepFreeze({
    id,
    type: 'test.Happened',
    version: 1,
    occurredAt: new Date().toISOString(),
    ...(subjectId === undefined ? {} : { subject: { type: 'Thing', id: subjectId } }),
    correlationId: id,
    metadata: {},
    payload,
  });
}
