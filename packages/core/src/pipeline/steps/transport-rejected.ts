/**
 * A message the transport received but refused to read (a forged or oversized chunk list,
 * say) still reaches the consumer, so it is dead-lettered and findable rather than dropped
 * by the broker. The transport hands it over with an empty body and the reason in
 * `tidings-transport-error`, beside the original headers; the read step turns that into a
 * dead letter with this error's code.
 */
import { TidingsError } from '../../errors/tidings-error.ts';

/** Header a transport sets, with the reason, on a message it refused to read. */
export const transportErrorHeader = 'tidings-transport-error';

/** The transport refused to read the message; its reason is the header's value. */
export class TransportRejectedError extends TidingsError {
  static override readonly code: string = 'TIDINGS_TRANSPORT_REJECTED';
}
