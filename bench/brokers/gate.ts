/**
 * A gate the consume benchmarks' handlers wait at while the backlog is being published, so a
 * run times draining a ready backlog through a live subscription (a Kafka group join takes
 * seconds and must not be in the timing). An open gate costs a property read.
 */
export interface Gate {
  readonly isOpen: boolean;
  /** Resolves when the gate opens. */
  readonly opened: Promise<void>;
  open(): void;
}

export function createGate(): Gate {
  let release = () => {};
  const gate = {
    isOpen: false,
    opened: new Promise<void>((resolve) => {
      release = resolve;
    }),
    open() {
      gate.isOpen = true;
      release();
    },
  };
  return gate;
}
