// Generators of hostile local input, seeded: Hadoop XML whose properties reference each other
// (chains, fans, cycles, self-reference, unknown and malformed references, huge values) and TLS
// "stores" (random bytes, Java/PKCS12 headers over garbage, PEM armour without ends, huge blocks).

type Random = () => number;

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)];
const int = (random: Random, max: number): number => Math.floor(random() * max);

/** Names the readers look up, so that references reach them. */
const READ_NAMES = ['hive.zookeeper.quorum', 'hive.zookeeper.client.port', 'hive.server2.zookeeper.namespace', 'hive.zookeeper.namespace', 'hive.metastore.uris', 'metastore.service.discovery.mode', 'beeline.hs2.jdbc.url.a', 'beeline.hs2.jdbc.url.default', 'beeline.hs2.connection.hosts', 'beeline.hs2.connection.hiveconf', 'beeline.hs2.connection.password'];

const escapeXml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** One configuration file of at most a few MB whose ${} references form a random graph. */
export function hostileXml(random: Random): string {
  const count = 1 + int(random, random() < 0.2 ? 2000 : 60);
  const names = Array.from({ length: count }, (_, i) => (i < READ_NAMES.length && random() < 0.7 ? (READ_NAMES[i]) : `p${i}`));
  const shape = int(random, 4);
  let budget = 6 * 1024 * 1024; // characters for the whole file: some files end up over the 4 MB limit, none far over
  const values = names.map((_, i) => {
    const parts: string[] = [];
    const pieces = shape === 0 ? 10 : 1 + int(random, random() < 0.1 ? 5000 : 12);
    for (let k = 0; k < pieces && budget > 0; k += 1) {
      const roll = random();
      if (shape === 0) {
        parts.push(`\${${names[Math.max(0, i - 1)] ?? 'p0'}}`); // the ten-by-ten chain
      } else if (roll < 0.5) {
        parts.push(`\${${pick(random, names)}}`);
      } else if (roll < 0.6) {
        parts.push(pick(random, ['${', '${}', '${ x}', '$${a}', '${${p0}}', '${unknown.name}', `\${${names[i] ?? ''}}`, '}${']));
      } else {
        parts.push(random() < 0.05 ? 'x'.repeat(int(random, 400_000)) : 'zk1:2181,'.repeat(int(random, 5)));
      }
      budget -= parts[parts.length - 1]?.length ?? 0;
    }
    return parts.join(random() < 0.3 ? ',' : '');
  });
  const body = names.map((name, i) => `<property><name>${escapeXml(name)}</name><value>${escapeXml(values[i] ?? '')}</value>${random() < 0.05 ? '<final>true</final>' : ''}</property>`).join('\n');
  return `<?xml version="1.0"?>\n<configuration>\n${body}\n</configuration>\n`;
}

/** Bytes a user, a URL or an attacker might name as a TLS store. */
export function hostileStore(random: Random): Buffer {
  const size = random() < 0.1 ? 500_000 + int(random, 2_500_000) : int(random, 4096);
  const garbage = Buffer.from(Array.from({ length: Math.min(size, 65536) }, () => int(random, 256))).toString('latin1').repeat(Math.max(1, Math.floor(size / 65536)));
  switch (int(random, 7)) {
    case 0:
      return Buffer.from(garbage, 'latin1');
    case 1:
      return Buffer.concat([Buffer.from([0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2, 0x7f, 0xff, 0xff, 0xff]), Buffer.from(garbage, 'latin1')]);
    case 2:
      return Buffer.concat([Buffer.from([0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x02, 0x01, 0x03]), Buffer.from(garbage, 'latin1')]);
    case 3:
      return Buffer.from('-----BEGIN CERTIFICATE-----\n'.repeat(1 + Math.floor(size / 28)));
    case 4:
      return Buffer.from(`-----BEGIN CERTIFICATE-----\n${'QUFB'.repeat(Math.floor(size / 4))}\n-----END CERTIFICATE-----\n`);
    case 5:
      return Buffer.from(`${'-----BEGIN PRIVATE KEY-----\n-----BEGIN CERTIFICATE-----\n'.repeat(1 + Math.floor(size / 56))}-----END CERTIFICATE-----\n`);
    default:
      return Buffer.from(`-----BEGIN ${'X'.repeat(size)}`);
  }
}
