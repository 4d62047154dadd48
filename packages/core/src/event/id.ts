/** Event ids: UUIDv7, so ids sort by creation time and database inserts stay append-only. */
import { v7 } from 'uuid';

export function createEventId(): string {
  return v7();
}
