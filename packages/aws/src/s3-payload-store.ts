/**
 * A `PayloadStore` on S3. Objects are written under `prefix + message id` and never deleted
 * by Tidings (several consumer groups read one body): give the bucket a lifecycle rule that
 * expires them after your longest retention, e.g. 14 days.
 */
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { TransportError } from '@tidings/core';
import { errorMessage } from '@tidings/core/spi';
import type { PayloadStore } from './payload-store.ts';

/**
 * @example
 * const payloads = createS3PayloadStore({ s3: new S3Client({}), bucket: 'my-events' });
 * const transport = createSnsSqsTransport({ sns, sqs, payloadStore: payloads });
 */
export function createS3PayloadStore(options: {
  s3: S3Client;
  bucket: string;
  prefix?: string;
}): PayloadStore {
  const prefix = options.prefix ?? 'tidings/';
  return {
    async put(id, body) {
      const key = `${prefix}${id}`;
      await options.s3.send(new PutObjectCommand({ Bucket: options.bucket, Key: key, Body: body }));
      return `s3://${options.bucket}/${key}`;
    },
    async get(reference) {
      const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(reference);
      if (!match?.[1] || !match[2]) {
        throw new TransportError(
          `Cannot read offloaded body: ${JSON.stringify(reference)} is not an s3:// reference.`,
        );
      }
      try {
        const object = await options.s3.send(new GetObjectCommand({ Bucket: match[1], Key: match[2] }));
        return (await object.Body?.transformToByteArray()) ?? new Uint8Array(0);
      } catch (error) {
        throw new TransportError(`Cannot read offloaded body ${reference}: ${errorMessage(error)}.`, {
          cause: error,
        });
      }
    },
  };
}
