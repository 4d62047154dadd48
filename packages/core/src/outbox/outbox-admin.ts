/**
 * The outbox admin port: what operators do by hand or on a schedule: list and redrive dead
 * letters, and prune the audit log.
 */
import type { AnyDomainEvent } from '../event/envelope.ts';
import type { DeliveryInfo } from './audit-log.ts';

export interface DeadLetter extends DeliveryInfo {
  readonly event: AnyDomainEvent;
}

export interface OutboxAdmin {
  /** Dead-lettered deliveries, oldest first. */
  deadLetters(query?: {
    readonly consumer?: string;
    readonly limit?: number;
  }): Promise<readonly DeadLetter[]>;

  /**
   * Makes dead-lettered deliveries pending again, claimable at once, with their history
   * kept. MUST leave deliveries that are not dead alone. Returns how many were redriven.
   */
  redrive(refs: readonly { readonly eventId: string; readonly consumer: string }[]): Promise<number>;

  /**
   * Retention: deletes events recorded before `before` (ms since epoch) whose deliveries
   * are all done (never pending or dead ones). Returns how many events were deleted.
   */
  prune(before: number): Promise<number>;
}
