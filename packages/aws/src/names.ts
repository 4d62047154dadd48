/**
 * AWS resource names and FIFO ids derived from Tidings topics, groups, keys and ids. SNS and
 * SQS allow fewer characters than event types and keys may hold, so names are sanitised and,
 * where shortened or changed, suffixed with a hash to stay distinct. FIFO ids that are not
 * valid as they are become a hash of themselves: one key is always one message group.
 */
import { createHash } from 'node:crypto';

const fifoSuffix = '.fifo';

function shortHash(text: string, length = 8): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

function resourceName(raw: string, max: number, fifo: boolean): string {
  const room = max - (fifo ? fifoSuffix.length : 0);
  let name = raw.replace(/[^A-Za-z0-9_-]/g, '_');
  if (name.length > room) name = `${name.slice(0, room - 9)}-${shortHash(raw)}`;
  return fifo ? `${name}${fifoSuffix}` : name;
}

/**
 * The SNS topic name of a Tidings topic: `prefix + topic`, characters outside
 * `[A-Za-z0-9_-]` replaced by `_`, at most 256 characters, `.fifo` appended for FIFO.
 *
 * @example
 * snsTopicName('shop.OrderPlaced', { prefix: 'prod-', fifo: true }); // 'prod-shop_OrderPlaced.fifo'
 */
export function snsTopicName(topic: string, options: { prefix?: string; fifo?: boolean } = {}): string {
  return resourceName(`${options.prefix ?? ''}${topic}`, 256, options.fifo ?? false);
}

/** The SQS queue name of a consumer group (at most 80 characters, `.fifo` for FIFO). */
export function sqsQueueName(group: string, options: { prefix?: string; fifo?: boolean } = {}): string {
  return resourceName(`${options.prefix ?? ''}${group}`, 80, options.fifo ?? false);
}

/** The dead-letter queue name of a consumer group. */
export function sqsDeadLetterQueueName(
  group: string,
  options: { prefix?: string; fifo?: boolean } = {},
): string {
  return resourceName(`${options.prefix ?? ''}${group}-dlq`, 80, options.fifo ?? false);
}

// FIFO MessageGroupId / MessageDeduplicationId: 1-128 characters of ASCII letters, digits, punctuation.
const fifoIdPattern = /^[\x21-\x7e]{1,128}$/;

/** A valid FIFO id for `value`: itself when allowed, else `h-` and its SHA-256 (stable). */
export function fifoId(value: string): string {
  return fifoIdPattern.test(value) ? value : `h-${createHash('sha256').update(value).digest('hex')}`;
}
