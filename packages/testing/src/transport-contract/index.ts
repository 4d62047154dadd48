export type {
  CloudEventsSdk,
  CloudEventsSdkBinding,
  InteropOptions,
  RawWire,
  RawWireMessage,
  RawWireReader,
} from './interop.ts';
export type { TransportContractOptions } from './options.ts';
export { runTransportContract } from './run-transport-contract.ts';
export { waitUntil } from './wait-for.ts';
