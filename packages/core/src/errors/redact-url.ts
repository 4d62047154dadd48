/**
 * The one way Tidings prints a connection URL: scheme, user, host, port and path (the
 * database or vhost) and nothing else. The password, the query (where `?password=` and
 * tokens hide) and the fragment are dropped. A URL the parser cannot read, or reads in a
 * way that leaves an `@` unaccounted for (a password containing `/` or `@`), is printed
 * with no user-info at all rather than with whatever the parser took for a host.
 */

/**
 * A URL safe to print in an error, a log line or a banner.
 *
 * @example
 * redactUrl('postgres://app:s3cret@db:5432/shop?password=s3cret'); // 'postgres://app@db:5432/shop'
 * redactUrl('amqp://guest:pa/ss@rabbit/vhost'); // 'amqp://rabbit/vhost'
 */
export function redactUrl(url: string): string {
  const schemeEnd = url.indexOf('://');
  if (schemeEnd < 0) return withoutUserInfo(url, '');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return withoutUserInfo(url.slice(schemeEnd + 3), url.slice(0, schemeEnd + 3));
  }
  const authority = beforeQuery(url.slice(schemeEnd + 3));
  const userInfoParsed = parsed.username !== '' || parsed.password !== '';
  const misread = parsed.pathname.includes('@') || (!userInfoParsed && authority.includes('@'));
  if (misread) return withoutUserInfo(url.slice(schemeEnd + 3), url.slice(0, schemeEnd + 3));
  const user = parsed.username === '' ? '' : `${parsed.username}@`;
  const path = parsed.pathname === '/' ? '' : parsed.pathname;
  return `${parsed.protocol}//${user}${parsed.host}${path}`;
}

function beforeQuery(text: string): string {
  const end = text.search(/[?#]/);
  return end < 0 ? text : text.slice(0, end);
}

/** Everything after the last `@` (so no user or password), without query or fragment. */
function withoutUserInfo(rest: string, scheme: string): string {
  const kept = beforeQuery(rest);
  return `${scheme}${kept.slice(kept.lastIndexOf('@') + 1)}`;
}
