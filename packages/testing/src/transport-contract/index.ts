export type { TransportContractOptions } from './options.ts';
export { runTransportContract } from './run-transport-contract.ts';
export { waitUntil } from './wait-for.ts';
