export * from './cloudevents-headers.ts';
export * from './payload-schema.ts';
export * from './to-asyncapi.ts';
