export * from './names.ts';
export * from './options.ts';
export * from './payload-store.ts';
export * from './provision.ts';
export * from './redrive.ts';
export * from './sns-sqs-transport.ts';
export * from './wire-format.ts';
