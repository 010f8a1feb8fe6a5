// Generated hostile values in every place a beeline command or an UNLOCK statement takes them from
// (user names, znode settings, paths, lock paths). Each value is either refused with a typed reason
// or reaches the program unchanged: POSIX lines are executed under bash and dash against a fake
// beeline that records its argv; Windows lines go through exact models of cmd.exe, PowerShell's
// legacy argument passing, beeline.cmd and java.exe's argv rules; and beeline's own option parser
// and !connect line are modelled too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildBeelineCommand, quoteArg, type BeelineCommand, type BeelineRequest, type PasswordSource } from '../../src/core/jdbc/beeline';
import { HiveZkError } from '../../src/core/errors';
import { decodeInstanceData, describeInstance } from '../../src/core/registry/hs2Instance';
import { instanceUrl } from '../../src/core/jdbc/hs2Urls';
import { parseJdbcUrl } from '../../src/core/jdbc/jdbcUrl';
import { unlockStatement } from '../../src/core/locks/locks';
import { readUnlock } from '../support/hiveQlModel';
import { fakeBeeline } from '../support/fakeBeeline';
import { prng } from '../support/prng';
import { beelineConnectLine, beelineReads, beelineSplit, cmdToBeeline, msvcrtArgv, pwshTokens, pwshToBeelineCmd } from '../support/shellModels';

const SEED = Number(process.env.FUZZ_SEED ?? 20261125);
const CASES = Number(process.env.INJECTION_CASES ?? 1500);
const URL = 'jdbc:hive2://zk1:2181,zk2:2181/default;serviceDiscoveryMode=zooKeeper;zooKeeperNamespace=hiveserver2';

const PIECES = [
  ...'aZ09_-.:/@+~=,',
  ...' \t\n\r;&|<>()^%!"\'`$#*?[]{}\\',
  '\u0000', '\u001b', '\u0085', '\u00a0', '\u00a5', '\u00ad', '\u200b', '\u200e', '\u202e', '\u2066', '\u2028', '\ufeff', '\uff02', '\uff3c', '\u2019', '\u201c', 'é', '中', '\ud83d\ude00', '\ud800',
  '%PATH%', '!A!', '$(id)', '`id`', '${env:HOME}', '--', '/*', '-p', '--silent', '--%', '-a.b', ';auth=noSasl', '?x=1', '#v=1', 'a\\', '\\\\',
];

function hostileValue(random: () => number): string {
  const length = Math.floor(random() * 6);
  let value = random() < 0.5 ? 'x' : '';
  for (let i = 0; i < length; i += 1) {
    value += PIECES[Math.floor(random() * PIECES.length)];
  }
  return random() < 0.15 ? `${value}\\` : value;
}

type Field = 'user' | 'httpPath' | 'principal' | 'bindHost' | 'beelinePath' | 'passwordFile' | 'extraArg';
const FIELDS: Field[] = ['user', 'httpPath', 'principal', 'bindHost', 'beelinePath', 'passwordFile', 'extraArg'];

/** A request with one hostile value in one field; undefined when the URL itself was refused while it was built. */
function requestFor(field: Field, value: string, random: () => number): BeelineRequest | undefined {
  const password: PasswordSource = random() < 0.5 ? { kind: 'prompt' } : { kind: 'none' };
  switch (field) {
    case 'user':
      return { url: URL, user: value, password };
    case 'beelinePath':
      return { url: URL, beelinePath: value, user: 'alice', password };
    case 'passwordFile':
      return { url: URL, user: 'alice', password: { kind: 'file', path: value } };
    case 'extraArg':
      return { url: URL, extraArgs: [value] };
    default: {
      const key = { httpPath: 'hive.server2.thrift.http.path', principal: 'hive.server2.authentication.kerberos.principal', bindHost: 'hive.server2.thrift.bind.host' }[field];
      const settings: Record<string, string> = { 'hive.server2.thrift.bind.host': 'h1', 'hive.server2.thrift.port': '10000', [key]: value };
      const data = Object.entries(settings).map(([k, v]) => `${k}=${v}`).join(';');
      const instance = describeInstance('/hiveserver2', 'serverUri=h1:10000;version=3;sequence=0000000001', decodeInstanceData(Buffer.from(data)));
      try {
        return { url: instanceUrl(instance), user: 'alice', password };
      } catch (error) {
        assert.ok(error instanceof HiveZkError && ['UNSAFE_VALUE', 'BAD_ZNODE_DATA'].includes(error.code), `typed refusal of ${field}=${JSON.stringify(value)}: ${String(error)}`);
        return undefined;
      }
    }
  }
}

/** What beeline itself must read from the argv: the request's URL, user and password source, nothing more. */
function assertBeelineReadsRequest(request: BeelineRequest, command: BeelineCommand, label: string): void {
  const view = beelineReads(command.argv.slice(1));
  assert.equal(view.url, request.url, `${label}: beeline's URL`);
  assert.equal(view.user, request.user || undefined, `${label}: beeline's user`);
  assert.equal(view.password, undefined, `${label}: no password on the command line`);
  assert.equal(view.prompts, request.password?.kind === 'prompt', `${label}: prompt`);
  assert.equal(view.passwordFile, request.password?.kind === 'file' ? request.password.path : undefined, `${label}: password file`);
  assert.deepEqual(view.other, request.extraArgs ?? [], `${label}: nothing else`);
  // The !connect line beeline builds and splits again must keep URL and user whole.
  const prompting = request.password?.kind === 'prompt';
  const tokens = beelineSplit(beelineConnectLine(request.url, request.user, prompting ? undefined : ''));
  if (prompting) {
    assert.equal(tokens?.length, 2, `${label}: one URL token`);
    if (request.user) {
      assert.equal(parseJdbcUrl(tokens?.[1] ?? '').sessionVars.user, request.user, `${label}: user inside the URL`);
    }
  } else {
    assert.deepEqual(tokens?.slice(1, 3), [request.url, request.user || ''], `${label}: !connect tokens`);
  }
}

test(`generated hostile values: refused, or unchanged through every shell and beeline itself (${CASES} cases, seed ${SEED})`, () => {
  const random = prng(SEED + 11);
  const fake = fakeBeeline();
  const counts: Record<string, { built: number; refused: number }> = { posix: { built: 0, refused: 0 }, pwsh: { built: 0, refused: 0 }, cmd: { built: 0, refused: 0 } };
  try {
    for (let i = 0; i < CASES; i += 1) {
      const field = FIELDS[i % FIELDS.length] ?? 'user';
      const value = hostileValue(random);
      const label = `${field}=${JSON.stringify(value)}`;
      const request = requestFor(field, value, random);
      if (!request) {
        continue;
      }
      let command: BeelineCommand;
      try {
        command = buildBeelineCommand(request);
      } catch (error) {
        assert.ok(error instanceof HiveZkError && ['UNSAFE_VALUE', 'URL_MALFORMED'].includes(error.code), `${label}: typed refusal, got ${String(error)}`);
        Object.values(counts).forEach((c) => (c.refused += 1));
        continue;
      }
      assertBeelineReadsRequest(request, command, label);
      for (const shell of ['posix', 'pwsh', 'cmd'] as const) {
        let line: string;
        try {
          line = command.display(shell);
        } catch (error) {
          assert.ok(error instanceof HiveZkError && error.code === 'UNSAFE_VALUE', `${label}: typed ${shell} refusal, got ${String(error)}`);
          counts[shell].refused += 1;
          continue;
        }
        counts[shell].built += 1;
        const args = command.argv.slice(1);
        if (shell === 'posix') {
          if (i % 3 === 0) {
            // The program word is checked too: run it as the fake beeline's first argument.
            const rest = args.map((a) => quoteArg(a, 'posix')).join(' ');
            assert.ok(line.endsWith(` ${rest}`), line);
            const programWord = line.slice(0, line.length - rest.length - 1);
            for (const sh of ['bash', 'dash']) {
              assert.deepEqual(fake.run(sh, `beeline ${programWord} ${rest}`), command.argv, `${label} under ${sh}: ${line}`);
            }
          }
        } else if (shell === 'cmd') {
          const outcome = cmdToBeeline(line);
          assert.ok(!('hazard' in outcome), `${label}: cmd.exe ${'hazard' in outcome ? outcome.hazard : ''}: ${line}`);
          assert.deepEqual(outcome.argv, args, `${label}: cmd.exe → beeline.cmd → java argv: ${line}`);
          assert.equal(outcome.program, command.argv[0], `${label}: program`);
        } else {
          const tokens = pwshTokens(line);
          assert.ok(!('hazard' in tokens), `${label}: PowerShell ${'hazard' in tokens ? tokens.hazard : ''}: ${line}`);
          assert.deepEqual(tokens, { program: command.argv[0], args }, `${label}: PowerShell tokens (pwsh on Linux/macOS passes these as argv)`);
          const outcome = pwshToBeelineCmd(line);
          assert.ok(!('hazard' in outcome), `${label}: PowerShell → beeline.cmd ${'hazard' in outcome ? outcome.hazard : ''}: ${line}`);
          assert.deepEqual(outcome.argv, args, `${label}: PowerShell → beeline.cmd → java argv: ${line}`);
        }
      }
    }
  } finally {
    fake.dispose();
  }
  for (const [shell, { built, refused }] of Object.entries(counts)) {
    assert.ok(built > CASES / 20 && refused > CASES / 20, `${shell}: both paths exercised (built ${built}, refused ${refused})`);
  }
});

test('the models catch what the issue found (so the generated test can fail)', () => {
  // cmd: an operator outside quotes, a variable inside quotes, a trailing backslash before a quote.
  assert.ok('hazard' in cmdToBeeline('beeline -n a&calc'));
  assert.notDeepEqual(cmdToBeeline('beeline -u "x%PATH%"'), { argv: ['-u', 'x%PATH%'], program: 'beeline' });
  assert.deepEqual(msvcrtArgv('-n "dom\\first last\\" -p'), ['-n', 'dom\\first last" -p']);
  assert.deepEqual(msvcrtArgv('-n "dom\\first last\\\\" -p'), ['-n', 'dom\\first last\\', '-p']);
  // beeline.cmd: delayed expansion eats "!", CALL doubles carets inside quotes.
  assert.notDeepEqual(cmdToBeeline('beeline "a!b"'), { argv: ['a!b'], program: 'beeline' });
  assert.notDeepEqual(cmdToBeeline('beeline "a^b"'), { argv: ['a^b'], program: 'beeline' });
  // PowerShell: legacy passing merges a trailing backslash, drops empty arguments, exposes & to cmd.exe.
  assert.deepEqual(pwshToBeelineCmd("beeline -n 'dom\\first last\\' -p"), { argv: ['-n', 'dom\\first last" -p'] });
  assert.deepEqual(pwshToBeelineCmd("beeline -n '' -p"), { argv: ['-n', '-p'] });
  assert.ok('hazard' in pwshToBeelineCmd("beeline 'a&calc'"));
  assert.ok('hazard' in pwshTokens('beeline $env:X'));
  // beeline: a value starting with "-" becomes an option; "--x" is a BeeLine option; quotes split !connect.
  assert.deepEqual(beelineReads(['-n', '-abc']).user, undefined);
  assert.deepEqual(beelineReads(['-n', '--secret']).user, undefined);
  assert.deepEqual(beelineSplit(beelineConnectLine('u', 'first last', 'pw')), ['!connect', 'u', 'first', 'last', 'pw']);
});

test('the issue\'s examples: what is built and what is refused', () => {
  const cases: [BeelineRequest, 'posix' | 'pwsh' | 'cmd', string | RegExp][] = [
    [{ url: URL, user: 'dom\\first last\\' }, 'posix', /user name/],
    [{ url: URL, user: '-abc' }, 'posix', /user name/],
    [{ url: URL, user: '--secret' }, 'posix', /user name/],
    [{ url: URL, user: 'alice', password: { kind: 'file', path: 'C:\\Users\\a b\\pw\\' } }, 'cmd', 'beeline -u "jdbc:hive2://zk1:2181,zk2:2181/default;serviceDiscoveryMode=zooKeeper;zooKeeperNamespace=hiveserver2" -n alice -w "C:\\Users\\a b\\pw\\\\"'],
    [{ url: URL, user: 'alice', password: { kind: 'file', path: 'C:\\Users\\a b\\pw\\' } }, 'pwsh', /ends with "\\"/],
    [{ url: 'jdbc:hive2://h:1/default;httpPath=a%EF%BC%82b', user: 'alice' }, 'cmd', /" % ! or \^/],
    [{ url: 'jdbc:hive2://h:1/default;principal=\uff02x', user: 'alice' }, 'cmd', /non-ASCII/],
  ];
  for (const [request, shell, expected] of cases) {
    const build = (): string => buildBeelineCommand(request).display(shell);
    if (typeof expected === 'string') {
      assert.equal(build(), expected);
    } else {
      assert.throws(build, (e: unknown) => e instanceof HiveZkError && e.code === 'UNSAFE_VALUE' && expected.test(e.message), `${JSON.stringify(request)} for ${shell}`);
    }
  }
});

test('UNLOCK: generated lock paths are refused or name exactly their object in Hive\'s and beeline\'s reading', () => {
  const random = prng(SEED + 12);
  let built = 0;
  let refused = 0;
  for (let i = 0; i < CASES; i += 1) {
    const object = { database: hostileValue(random) || 'db', table: hostileValue(random) || 't', partition: [{ key: hostileValue(random) || 'ds', value: hostileValue(random) }] };
    const shape = i % 3 === 0 ? { database: object.database } : i % 3 === 1 ? { database: object.database, table: object.table } : object;
    let statement: string;
    try {
      statement = unlockStatement(shape);
    } catch (error) {
      assert.ok(error instanceof HiveZkError && error.code === 'UNSAFE_VALUE' && /Refusing/.test(error.message), String(error));
      refused += 1;
      continue;
    }
    built += 1;
    assert.deepEqual(readUnlock(statement), shape, statement);
  }
  assert.ok(built > CASES / 10 && refused > CASES / 10, `both paths exercised (built ${built}, refused ${refused})`);
  assert.throws(() => unlockStatement({ database: 'x;DROP TABLE important;--' }), /";"/);
  assert.throws(() => unlockStatement({ database: 'd', table: 't', partition: [{ key: 'p', value: 'a\nb' }] }), /invisible/);
  assert.equal(unlockStatement({ database: 'd', table: 't', partition: [{ key: 'p', value: "it's \\ fine" }] }), "UNLOCK TABLE `d`.`t` PARTITION (`p`='it\\'s \\\\ fine');");
});
