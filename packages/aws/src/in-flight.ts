/**
 * Keeps every message a subscription is handling invisible with one timer for the whole
 * subscription (not one per message): every half visibility timeout it extends all of them
 * in `ChangeMessageVisibilityBatch` calls of ten.
 */
import { ChangeMessageVisibilityBatchCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';

export interface InFlight {
  add(message: Message): void;
  delete(message: Message): void;
  stop(): void;
}

export function keepInvisible(
  sqs: SQSClient,
  queueUrl: string,
  visibilityTimeoutSeconds: number,
  onError: (error: unknown) => void,
): InFlight {
  const handles = new Set<string>();
  const extend = async () => {
    const all = [...handles];
    for (let i = 0; i < all.length; i += 10) {
      const entries = all.slice(i, i + 10).map((handle, n) => ({
        Id: `v${n}`,
        ReceiptHandle: handle,
        VisibilityTimeout: visibilityTimeoutSeconds,
      }));
      // A failed extension is not fatal: the message may come back to another member (a duplicate).
      await sqs
        .send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: queueUrl, Entries: entries }))
        .then((result) => {
          const failed = (result.Failed ?? []).filter((f) =>
            handles.has(all[i + Number(f.Id?.slice(1))] ?? ''),
          );
          if (failed.length > 0)
            onError(
              new Error(
                `SQS did not extend the visibility of ${failed.length} message(s): ${failed.map((f) => f.Code).join(', ')}`,
              ),
            );
        }, onError);
    }
  };
  const timer = setInterval(() => void extend(), (visibilityTimeoutSeconds * 1000) / 2);
  timer.unref();
  return {
    add: (message) => void handles.add(message.ReceiptHandle ?? ''),
    delete: (message) => void handles.delete(message.ReceiptHandle ?? ''),
    stop: () => clearInterval(timer),
  };
}
