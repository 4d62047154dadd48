/**
 * The OutboxStore: where events wait between a database commit and their consumers, as the
 * combination of four small role ports (writer, delivery queue, audit log, admin), so each
 * caller can ask for only the role it uses.
 *
 * Model (the pattern Spring Modulith calls the event publication registry): `append` writes
 * each event once (it is also the audit log) and one *delivery* per consumer that must
 * receive it. A consumer is a durable handler or a transport route, named by a stable
 * string. Relays `claim` deliveries under a lease, then `settle` a round's outcomes at once.
 *
 * Every implementation passes `runOutboxStoreContract` from `@tidings/testing`.
 */
import type { AuditLog } from './audit-log.ts';
import type { DeliveryQueue } from './delivery-queue.ts';
import type { OutboxAdmin } from './outbox-admin.ts';
import type { OutboxWriter } from './outbox-writer.ts';
import type { ReceivedDeadLetters } from './received-dead-letters.ts';

export type * from './audit-log.ts';
export type * from './delivery-queue.ts';
export type * from './outbox-admin.ts';
export type * from './outbox-writer.ts';
export type * from './received-dead-letters.ts';

export interface OutboxStore<Tx = unknown> extends OutboxWriter<Tx>, DeliveryQueue, AuditLog, OutboxAdmin {
  /**
   * The dead letters this service's consumer received and gave up on. Optional in the port
   * (stores of this repository all have it): the CLI and inspector list it where present.
   */
  readonly receivedDeadLetters?: ReceivedDeadLetters;
  /** Releases connections the store opened. MUST be idempotent. */
  close(): Promise<void>;
}
