/**
 * What a transport test supplies for the CloudEvents interop scenario: the official
 * `cloudevents` SDK module (the suite does not depend on it; the test file imports it) and
 * a raw-driver adapter that writes and reads messages the way a foreign client of the
 * broker would, in the broker's binding as the SDK's `Kafka` or `HTTP` binding lays it out.
 */

/** A message as an SDK binding lays it out: header names as the binding spells them. */
export interface RawWireMessage {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
  /** The broker's key / partition key; empty when the broker has none. */
  readonly key: string;
}

export interface RawWireReader {
  /** Everything read so far, in arrival order. */
  readonly messages: readonly RawWireMessage[];
  close(): Promise<void>;
}

/**
 * The raw driver, with no Tidings code between it and the broker. `binding` names the SDK
 * binding whose layout the adapter speaks: `Kafka` (`ce_*`, `content-type`) or `HTTP`
 * (`ce-*`, `content-type`). An adapter for a broker whose binding the SDK lacks (AMQP)
 * translates between the HTTP layout and its broker's binding itself, as the spec says.
 */
export interface RawWire {
  readonly binding: 'Kafka' | 'HTTP';
  /** Sends one message to `topic` (a Tidings topic name; the adapter applies its prefix). */
  send(topic: string, message: RawWireMessage): Promise<void>;
  /** Starts reading `topic` from now on; resolves once messages published after it will be seen. */
  read(topic: string): Promise<RawWireReader>;
}

/** The parts of the `cloudevents` SDK module the scenario uses (pass `import * as sdk from 'cloudevents'`). */
export interface CloudEventsSdk {
  readonly CloudEvent: new (attributes: Record<string, unknown>, strict?: boolean) => object;
  readonly HTTP: CloudEventsSdkBinding;
  readonly Kafka: CloudEventsSdkBinding;
}

export interface CloudEventsSdkBinding {
  binary(event: never): { headers: object; body?: unknown; value?: unknown };
  structured(event: never): { headers: object; body?: unknown; value?: unknown };
  toEvent(message: never): unknown;
}

export interface InteropOptions {
  readonly sdk: CloudEventsSdk;
  readonly raw: RawWire;
}
