/** The event the latency benchmarks send: nothing but an ordinal, so size does not matter. */
import { defineEvent } from '@tidings/core';
import { z } from 'zod';

export const Ping = defineEvent('LatencyPing', { schema: z.object({ n: z.number() }) });
