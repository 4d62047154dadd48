/**
 * Acks by DeleteMessageBatch: deletes requested while one batch call is in flight are
 * gathered into the next call (up to 10 each), so a busy consumer sends few requests and an
 * idle one deletes at once. A failed delete only means the message comes back (at least once).
 */
import { DeleteMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { TransportError } from '@tidings/core';
import { errorMessage } from '@tidings/core/spi';

export interface DeleteBatcher {
  /** Resolves once the delete was attempted; failures go to `onError`. */
  delete(receiptHandle: string): Promise<void>;
}

export function createDeleteBatcher(
  sqs: SQSClient,
  queueUrl: string,
  onError: (error: unknown) => void,
): DeleteBatcher {
  const pending: { handle: string; done: () => void }[] = [];
  let running = false;

  async function drain(): Promise<void> {
    running = true;
    try {
      while (pending.length > 0) {
        const batch = pending.splice(0, 10);
        try {
          const result = await sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: queueUrl,
              Entries: batch.map((b, i) => ({ Id: `d${i}`, ReceiptHandle: b.handle })),
            }),
          );
          if (result.Failed?.length) {
            onError(
              new TransportError(
                `SQS did not delete ${result.Failed.length} handled message(s) from ${queueUrl}: ` +
                  `${result.Failed.map((f) => f.Code).join(', ')}. They will be delivered again.`,
              ),
            );
          }
        } catch (error) {
          onError(
            new TransportError(
              `Cannot delete ${batch.length} handled message(s) from ${queueUrl}: ${errorMessage(error)}. ` +
                'They will be delivered again.',
              { cause: error },
            ),
          );
        } finally {
          for (const b of batch) b.done();
        }
      }
    } finally {
      running = false;
    }
  }

  return {
    delete(receiptHandle) {
      return new Promise<void>((done) => {
        pending.push({ handle: receiptHandle, done });
        if (!running) void drain();
      });
    },
  };
}
