/**
 * DNS rebinding defence: a page on another site can point its own hostname at 127.0.0.1
 * and then talk to the inspector as a same-origin page. The browser still sends that
 * hostname in `Host`, so the server answers only requests addressed to its own loopback
 * names and port (and to the interface it was explicitly bound to).
 */

const wildcards = new Set(['0.0.0.0', '::', '']);

/** The `Host` values the inspector answers to on `port` when bound to `boundHost`. */
export function allowedHosts(port: number, boundHost: string): ReadonlySet<string> {
  const names = ['127.0.0.1', 'localhost', '[::1]'];
  if (!wildcards.has(boundHost)) names.push(boundHost.includes(':') ? `[${boundHost}]` : boundHost);
  return new Set(names.map((name) => `${name}:${port}`.toLowerCase()));
}

/** True when a request's `Host` header names this inspector. */
export function isOwnHost(hostHeader: string | undefined, allowed: ReadonlySet<string>): boolean {
  return hostHeader !== undefined && allowed.has(hostHeader.toLowerCase());
}
