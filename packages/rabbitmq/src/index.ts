export * from './names.ts';
export * from './options.ts';
export * from './rabbitmq-transport.ts';
