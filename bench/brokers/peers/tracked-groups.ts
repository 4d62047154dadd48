/**
 * Wraps a transport so the session learns every consumer group subscribed through it, and
 * can delete that group's queue or consumer when it closes.
 */
import type { Transport } from '@tidings/core';

export function trackGroups(transport: Transport, groups: Set<string>): Transport {
  return {
    name: transport.name,
    features: transport.features,
    publish: (messages) => transport.publish(messages),
    subscribe: (request, handler, options) => {
      groups.add(request.group);
      return transport.subscribe(request, handler, options);
    },
    close: () => transport.close(),
  };
}
