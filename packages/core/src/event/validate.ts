/**
 * Standard Schema validation, turned into Tidings' ValidationError with each failing path,
 * the reason, and the offending value.
 */
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { ConfigurationError, ValidationError, type ValidationIssue } from '../errors/errors.ts';
import { describeValue } from '../errors/tidings-error.ts';

function pathOf(issue: StandardSchemaV1.Issue): readonly PropertyKey[] {
  return (issue.path ?? []).map((segment) => (typeof segment === 'object' ? segment.key : segment));
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current = root;
  for (const key of path) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`))
    .join('');
}

/** Builds the error for failed issues: message lists `path: reason (got value)` for each. */
export function validationError(
  eventType: string,
  input: unknown,
  issues: readonly StandardSchemaV1.Issue[],
): ValidationError {
  const described: ValidationIssue[] = issues.map((issue) => {
    const path = pathOf(issue);
    return { path: formatPath(path), message: issue.message, value: valueAt(input, path) };
  });
  const list = described.map((i) => `${i.path}: ${i.message} (got ${describeValue(i.value)})`).join('; ');
  return new ValidationError(`Invalid payload for event "${eventType}": ${list}`, eventType, described);
}

/** Validates synchronously; a schema that only validates asynchronously is a configuration error. */
export function validateSync<S extends StandardSchemaV1>(
  schema: S,
  eventType: string,
  input: unknown,
): StandardSchemaV1.InferOutput<S> {
  const result = schema['~standard'].validate(input);
  if (result instanceof Promise) {
    throw new ConfigurationError(
      `The schema of event "${eventType}" validates asynchronously; Tidings needs a synchronous schema so events can be created and decoded without awaiting.`,
    );
  }
  if (result.issues) throw validationError(eventType, input, result.issues);
  return result.value as StandardSchemaV1.InferOutput<S>;
}
