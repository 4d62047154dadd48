// The `@tidings/aws/s3` entry: kept apart so @aws-sdk/client-s3 is needed only by those who offload.
export * from './s3-payload-store.ts';
