/**
 * What the chaos run needs of a server it owns: the environment that points workers at
 * it, a restart that keeps its data (or the reason a restart would not be meaningful),
 * and a stop that leaves nothing running.
 */
export interface PrivateServer {
  readonly name: string;
  /** Variables the worker processes read to reach this server. */
  readonly env: Readonly<Record<string, string>>;
  /** Set when a restart would lose the server's state, so restarting it would prove nothing. */
  readonly noRestart?: string;
  /** Settles, with what happened, when the server process dies on its own (not by stop or restart). */
  readonly died?: Promise<string>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}
