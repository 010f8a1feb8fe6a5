// JDBC URL parameters that carry secrets (Hive's JdbcConnectionParams): one list, used wherever a
// URL is printed, echoed in a message or put on a command line — they never are.

/** Exact keys, compared case-insensitively: Hive 4.1+ reads "password" in any case (HIVE-28805). */
const SECRET_KEYS = ['password', 'trustStorePassword', 'keyStorePassword', 'zooKeeperTruststorePassword', 'zooKeeperKeystorePassword', 'jwt'].map((k) => k.toLowerCase());
/** Prefixes whose every key may carry a credential (an Authorization header, a session cookie). */
const SECRET_PREFIXES = ['http.header.', 'http.cookie.'];

/**
 * True for a key whose value is a secret. The driver's key is greedy ("password=ab=c" gives key
 * "password=ab"), so a key that starts with a secret key and "=" holds part of the secret too.
 */
export function isSecretKey(key: string): boolean {
  const lower = key.toLowerCase();
  return SECRET_KEYS.some((k) => lower === k || lower.startsWith(`${k}=`)) || SECRET_PREFIXES.some((p) => lower.startsWith(p));
}

/** Session variables without the secret ones. */
export function withoutSecrets(vars: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(vars).filter(([key]) => !isSecretKey(key)));
}

/** Session variables with every secret value (and the secret part of a greedy key) hidden. */
export function maskSecrets(vars: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(vars).map(([key, value]) => (isSecretKey(key) ? [key.includes('=') ? `${key.slice(0, key.indexOf('='))}=…` : key, '(hidden)'] : [key, value])));
}

/**
 * URL text with the value of every "key=value" whose key is secret replaced by "(hidden)", for
 * messages that quote what the user typed. Percent-escapes are decoded first, so an encoded
 * spelling of a key ("pass%77ord") is caught too.
 */
export function redactUrlText(text: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(text);
  } catch {
    decoded = text;
  }
  // One pass over the parts between ; ? # & (a regex over them would rescan long runs): in each, the
  // text before its first "=" is the key (at the very start, after one leading "," or "/"), and the
  // rest of the part its value.
  let shown = '';
  let start = 0;
  for (let i = 0; i <= decoded.length; i += 1) {
    const char = decoded[i];
    if (char === undefined || char === ';' || char === '?' || char === '#' || char === '&') {
      const part = decoded.slice(start, i);
      const equals = part.indexOf('=');
      const keyFrom = start === 0 && (part[0] === ',' || part[0] === '/') ? 1 : 0;
      shown += (equals !== -1 && isSecretKey(part.slice(keyFrom, equals)) ? `${part.slice(0, equals)}=(hidden)` : part) + (char ?? '');
      start = i + 1;
    }
  }
  return shown;
}
