// Beeline command building and quoting. Hostile values must either be refused or come out inert:
// the POSIX commands are run under bash and sh against a fake beeline that records its argv.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildBeelineCommand, checkPasswordForFile, quoteCmd, quotePosix, quotePwsh } from '../../src/core/jdbc/beeline';
import { fakeBeeline as makeFakeBeeline, type FakeBeeline } from '../support/fakeBeeline';
import { beelineConnectLine, beelineReads, beelineSplit } from '../support/shellModels';
import { HiveZkError } from '../../src/core/errors';
import { decodeInstanceData, describeInstance } from '../../src/core/registry/hs2Instance';
import { instanceUrl } from '../../src/core/jdbc/hs2Urls';
import { parseJdbcUrl } from '../../src/core/jdbc/jdbcUrl';

const URL = 'jdbc:hive2://zk1:2181,zk2:2181/default;serviceDiscoveryMode=zooKeeper;zooKeeperNamespace=hiveserver2';

function isUnsafe(message?: RegExp): (e: unknown) => boolean {
  return (e: unknown) => e instanceof HiveZkError && e.code === 'UNSAFE_VALUE' && (message === undefined || message.test(e.message));
}

test('discovery command for each shell', () => {
  const command = buildBeelineCommand({ url: URL, user: 'alice' });
  assert.deepEqual(command.argv, ['beeline', '-u', URL, '-n', 'alice']);
  assert.equal(command.display('posix'), `beeline -u '${URL}' -n alice`);
  assert.equal(command.display('pwsh'), `beeline -u '${URL}' -n alice`);
  assert.equal(command.display('cmd'), `beeline -u "${URL}" -n alice`);
});

test('passwords never go on the command line: beeline prompts for them or reads a file', () => {
  const prompt = buildBeelineCommand({ url: URL, user: 'alice', password: { kind: 'prompt' } });
  assert.deepEqual(prompt.argv, ['beeline', '-u', URL, '-n', 'alice', '-p']);
  assert.deepEqual(beelineReads(prompt.argv.slice(1)), { url: URL, user: 'alice', prompts: true, other: [] });
  const file = buildBeelineCommand({ url: URL, user: 'alice', password: { kind: 'file', path: '/run/user/1000/hs2.pw' } });
  assert.deepEqual(beelineReads(file.argv.slice(1)), { url: URL, user: 'alice', passwordFile: '/run/user/1000/hs2.pw', prompts: false, other: [] });
  assert.throws(() => buildBeelineCommand({ url: `${URL};password=s3cr3t` }), isUnsafe(/password/));
  assert.throws(() => buildBeelineCommand({ url: URL, extraArgs: ['-p', 'x'] }), isUnsafe(/--name=value/));
  assert.throws(() => buildBeelineCommand({ url: URL, extraArgs: ['--password=x'] }), isUnsafe(/password/));
});

test('a password handed over in a file must survive beeline\'s trim and its !connect line', () => {
  for (const good of ['s3cr3t', 'p@$$w0rd!', 'ü-ñ-中', 'a;b#c=d%e\\f']) {
    assert.equal(checkPasswordForFile(good), good);
    assert.deepEqual(beelineSplit(beelineConnectLine(URL, 'alice', good))?.slice(1), [URL, 'alice', good], good);
  }
  for (const bad of ['', ' lead', 'trail ', 'in side', "it's", 'say "x"', 'tab\tx', 'line\nx', 'bidi\u202ex']) {
    assert.throws(() => checkPasswordForFile(bad), isUnsafe(), JSON.stringify(bad));
  }
});

test('a beeline path with spaces is quoted, and called with & in PowerShell', () => {
  const command = buildBeelineCommand({ url: URL, beelinePath: '/opt/hive 3/bin/beeline' });
  assert.ok(command.display('posix').startsWith(`'/opt/hive 3/bin/beeline' -u`));
  assert.ok(command.display('pwsh').startsWith(`& '/opt/hive 3/bin/beeline' -u`));
});

test('malformed URL is refused before any command is built', () => {
  assert.throws(() => buildBeelineCommand({ url: 'jdbc:mysql://x' }), (e: unknown) => e instanceof HiveZkError && e.code === 'URL_NOT_HIVE2');
});

test('quoting rules per shell', () => {
  assert.equal(quotePosix("it's"), `'it'\\''s'`);
  assert.equal(quotePosix('$(id)'), `'$(id)'`);
  assert.equal(quotePwsh("it's"), `'it''s'`);
  assert.throws(() => quotePwsh('it\u2019s'), isUnsafe(/non-ASCII/));
  assert.equal(quotePwsh('a,b'), `'a,b'`);
  assert.equal(quoteCmd('a&b'), '"a&b"');
  assert.equal(quoteCmd('dom\\first last\\'), '"dom\\first last\\\\"');
  for (const bad of ['%PATH%', 'a!b', 'a"b', 'a^b', 'x\uff02y', '\u00a5']) {
    assert.throws(() => quoteCmd(bad), (e: unknown) => e instanceof HiveZkError && e.code === 'UNSAFE_VALUE');
  }
  assert.throws(() => quotePwsh('a"b'), (e: unknown) => e instanceof HiveZkError && e.code === 'UNSAFE_VALUE');
});

const hostile = ["'; touch PWNED; '", '$(touch PWNED)', '`touch PWNED`', 'a && touch PWNED', 'x | touch PWNED', '"; touch PWNED; "', '%COMSPEC%', '$HOME', "it's", '\\', '*', '~root', '!!', '{a,b}', 'a\tb'];

/** The fake beelines made here, removed when the file's tests are done: nothing is left in /tmp. */
const fakes: FakeBeeline[] = [];
after(() => fakes.forEach((f) => f.dispose()));

function fakeBeeline(): FakeBeeline {
  const fake = makeFakeBeeline();
  fakes.push(fake);
  return fake;
}

for (const shell of ['bash', 'sh']) {
  test(`injection: hostile user names stay one inert argument under ${shell}`, () => {
    const fake = fakeBeeline();
    for (const user of hostile) {
      let command;
      try {
        command = buildBeelineCommand({ url: URL, user });
      } catch (error) {
        assert.ok(error instanceof HiveZkError && error.code === 'UNSAFE_VALUE', `refusal of ${JSON.stringify(user)} is typed`);
        continue;
      }
      const argv = fake.run(shell, command.display('posix'));
      assert.deepEqual(argv, command.argv.slice(1), `argv for ${JSON.stringify(user)}`);
      assert.throws(() => readFileSync(join(fake.dir, 'PWNED')), `no command ran for ${JSON.stringify(user)}`);
    }
  });
}

test('injection: hostile znode fields never add a JDBC parameter or a shell command', () => {
  const fake = fakeBeeline();
  const fields = ['hive.server2.thrift.bind.host', 'hive.server2.thrift.http.path', 'hive.server2.authentication.kerberos.principal', 'hive.server2.transport.mode', 'hive.server2.thrift.sasl.qop'];
  let refused = 0;
  let built = 0;
  for (const field of fields) {
    for (const payload of [...hostile, 'x;auth=noSasl', 'x?hive.exec.pre.hooks=evil', 'x#v=1', 'a=b', 'line\nbreak']) {
      const settings = { 'hive.server2.thrift.bind.host': 'h1', 'hive.server2.thrift.port': '10000', [field]: payload };
      const data = Object.entries(settings).map(([k, v]) => `${k}=${v}`).join(';');
      const instance = describeInstance('/hiveserver2', 'serverUri=h1:10000;version=3;sequence=0000000001', decodeInstanceData(Buffer.from(data)));
      let url: string;
      try {
        url = instanceUrl(instance);
      } catch (error) {
        assert.ok(error instanceof HiveZkError && ['UNSAFE_VALUE', 'BAD_ZNODE_DATA'].includes(error.code), `typed refusal for ${field}=${JSON.stringify(payload)}`);
        refused += 1;
        continue;
      }
      built += 1;
      const parsed = parseJdbcUrl(url);
      const allowed = new Set(['transportMode', 'httpPath', 'principal', 'saslQop', 'ssl', 'auth']);
      assert.ok(Object.keys(parsed.sessionVars).every((k) => allowed.has(k)), `no extra parameter from ${field}=${JSON.stringify(payload)}: ${url}`);
      assert.deepEqual(Object.keys(parsed.hiveConfs), []);
      assert.deepEqual(Object.keys(parsed.hiveVars), []);
      const command = buildBeelineCommand({ url });
      for (const shell of ['bash', 'sh']) {
        assert.deepEqual(fake.run(shell, command.display('posix')), ['-u', url]);
      }
    }
  }
  assert.ok(refused > 0 && built > 0, `both paths exercised (refused ${refused}, built ${built})`);
});

test('discovery URLs: several hosts, HA mode, and a chroot folded into the namespace', async () => {
  const { discoveryUrl } = await import('../../src/core/jdbc/hs2Urls');
  const { parseConnectString } = await import('../../src/core/zk/connectString');
  assert.equal(discoveryUrl(parseConnectString('zk1:2181,zk2:2182'), 'hiveserver2'), 'jdbc:hive2://zk1:2181,zk2:2182/default;serviceDiscoveryMode=zooKeeper;zooKeeperNamespace=hiveserver2');
  assert.equal(discoveryUrl(parseConnectString('zk1'), 'hs2ActivePassiveHA', { ha: true }), 'jdbc:hive2://zk1:2181/default;serviceDiscoveryMode=zooKeeperHA;zooKeeperNamespace=hs2ActivePassiveHA');
  const chrooted = discoveryUrl(parseConnectString('zk1:2181/prod/hive'), 'hiveserver2', { database: 'sales' });
  assert.equal(chrooted, 'jdbc:hive2://zk1:2181/sales;serviceDiscoveryMode=zooKeeper;zooKeeperNamespace=prod/hive/hiveserver2');
  assert.equal(parseJdbcUrl(chrooted).sessionVars.zooKeeperNamespace, 'prod/hive/hiveserver2');
});
