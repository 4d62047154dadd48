/**
 * One run of one handler for one delivery, as the pipeline's steps see it, and the shape of
 * a step. A run is one object: the steps fill in the event and the transaction as they go,
 * and the per-run AbortSignal is made only when the handler reads `context.signal` (an
 * AbortController plus a listener per message is a measurable share of a no-op handler).
 */
import type { RawEvent } from '../event/catalog.ts';
import type { AnyDomainEvent } from '../event/envelope.ts';
import type { HandlerDelivery } from '../instrumentation/messaging.ts';
import type { DurableHandler } from '../outbox/durable-handler.ts';
import type { Outcome } from './outcome.ts';

/** What a source hands the pipeline for one handler. */
export interface PipelineDelivery {
  /**
   * The event as stored or received, before the catalog upcasts and validates it. A function
   * when reading it can fail (decoding a broker message): the failure dead-letters.
   */
  readonly event: AnyDomainEvent | (() => RawEvent);
  /** 1 on the first delivery: the store's attempt, or the broker's delivery count. */
  readonly attempt: number;
  /** The broker delivery, when a consumer runs it (for tracing). */
  readonly delivery?: HandlerDelivery | undefined;
}

export class PipelineRun<Tx> {
  /** Set by the read step, replaced by the decoded event in the decode step. */
  event!: AnyDomainEvent;
  /** The inbox transaction, set by the inbox step. */
  tx: Tx | undefined;
  private controller: AbortController | undefined;
  private reason: unknown;
  private listening = false;

  constructor(
    readonly handler: DurableHandler<Tx>,
    readonly source: PipelineDelivery,
    /** Aborted when the pipeline's owner gives up on running work (close grace ran out). */
    private readonly parent: AbortSignal,
  ) {}

  get attempt(): number {
    return this.source.attempt;
  }

  /** The handler's `context.signal`: made on first read. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.reason !== undefined) this.controller.abort(this.reason);
      else if (this.parent.aborted) this.controller.abort(this.parent.reason);
      else {
        this.parent.addEventListener('abort', this, { once: true });
        this.listening = true;
      }
    }
    return this.controller.signal;
  }

  /** Aborts the handler's signal (its timeout passed); remembered if it was not read yet. */
  abort(reason: unknown): void {
    this.reason = reason;
    this.controller?.abort(reason);
  }

  /** The parent signal's listener (the run itself, so no closure per run). */
  handleEvent(): void {
    this.listening = false;
    this.controller?.abort(this.parent.reason);
  }

  /** Stops listening to the parent signal once the run is over. */
  dispose(): void {
    if (this.listening) this.parent.removeEventListener('abort', this);
    this.listening = false;
  }
}

/** One step of the pipeline: resolves with the outcome, or rejects with the failure. */
export type Step<Tx> = (run: PipelineRun<Tx>) => Promise<Outcome>;

/** A step wraps the next one: `(next) => step`, one concern per file. */
export type StepFactory<Tx> = (next: Step<Tx>) => Step<Tx>;
