// What a workspace may decide: the manifest declares limited support for untrusted workspaces with
// every setting that chooses what to connect to, what to run or which files to read restricted, no
// virtual workspaces, and extra BeeLine arguments limited to display options wherever they come from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BEELINE_DISPLAY_OPTIONS, buildBeelineCommand, checkBeelineOption } from '../../src/core/jdbc/beeline';
import { HiveZkError } from '../../src/core/errors';

interface Manifest {
  capabilities?: { untrustedWorkspaces?: { supported?: unknown; restrictedConfigurations?: string[] }; virtualWorkspaces?: unknown };
  contributes: { configuration: { properties: Record<string, { scope?: string; items?: { properties?: { beelineArgs?: { items?: { pattern?: string } } } } }> } };
}

const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as Manifest;
const URL = 'jdbc:hive2://zk1:2181/default;serviceDiscoveryMode=zooKeeper;zooKeeperNamespace=hiveserver2';
const isUnsafe = (e: unknown) => e instanceof HiveZkError && e.code === 'UNSAFE_VALUE';

/** Every contributed setting, by what a workspace could do with it. */
// The doctor's guard and its re-check timer decide what is probed, and when.
const DECIDES_WHAT_RUNS_CONNECTS_OR_READS = ['hiveZk.ensembles', 'hiveZk.beeline.path', 'hiveZk.beeline.user', 'hiveZk.doctor.loopbackOnly', 'hiveZk.doctor.recheckMinutes'];
const ONLY_HOW_THINGS_LOOK_OR_WAIT = ['hiveZk.activity.maxEvents', 'hiveZk.connection.connectTimeoutMs', 'hiveZk.connection.requestTimeoutMs', 'hiveZk.doctor.probeTimeoutMs', 'hiveZk.driver.hiveVersion', 'hiveZk.tree.pageSize', 'hiveZk.tree.liveUpdates'];

test('manifest: limited in untrusted workspaces, every deciding setting restricted, no virtual workspaces', () => {
  assert.equal(manifest.capabilities?.untrustedWorkspaces?.supported, 'limited');
  assert.deepEqual([...(manifest.capabilities?.untrustedWorkspaces?.restrictedConfigurations ?? [])].sort(), [...DECIDES_WHAT_RUNS_CONNECTS_OR_READS].sort());
  assert.equal(manifest.capabilities?.virtualWorkspaces, false);
  // A new setting must be placed in one of the two lists above (and restricted if it decides anything).
  assert.deepEqual(Object.keys(manifest.contributes.configuration.properties).sort(), [...DECIDES_WHAT_RUNS_CONNECTS_OR_READS, ...ONLY_HOW_THINGS_LOOK_OR_WAIT].sort());
});

test('manifest: the beelineArgs schema names exactly the display options the command builder accepts', () => {
  const pattern = manifest.contributes.configuration.properties['hiveZk.ensembles']?.items?.properties?.beelineArgs?.items?.pattern ?? '';
  const names = /^\^--\(([^)]*)\)=/.exec(pattern)?.[1]?.split('|') ?? [];
  assert.deepEqual(names.sort(), Object.keys(BEELINE_DISPLAY_OPTIONS).sort());
  assert.ok(new RegExp(pattern).test('--silent=true') && !new RegExp(pattern).test('--scriptFile=x.sql'));
});

test('beelineArgs: display options are accepted (any case of the name), with values of their kind', () => {
  for (const good of ['--silent=true', '--SHOWHEADER=false', '--outputformat=vertical', '--outputFormat=csv2', '--maxWidth=200', '--numberFormat=#,##0.00', '--delimiterForDSV=|', '--nullemptystring=true']) {
    assert.equal(checkBeelineOption(good), good);
  }
  assert.deepEqual(buildBeelineCommand({ url: URL, extraArgs: ['--silent=true', '--outputFormat=vertical'] }).argv, ['beeline', '-u', URL, '--silent=true', '--outputFormat=vertical']);
});

test('beelineArgs: options that run, read or write files, or change what runs, are refused — with the reason', () => {
  const refused = [
    '--scriptFile=/tmp/evil.sql', '--initFiles=/tmp/init.sql', '--initFile=x', '--historyFile=/etc/x', '--autosave=true', '--property-file=/tmp/p', '--propertyFile=/tmp/p',
    '--hiveconf=a=b', '--hivevar=a=b', '-e', '-f', '-i', '--e=select 1', '--autoCommit=false', '--force=true', '--isolation=TRANSACTION_NONE', '--authType=x', '--delimiter=x',
    '--entireLineAsCommand=true', '--fastConnect=false', '--password=x', '--passwordFile=x', '--addlocaldriverjar=/tmp/x.jar', '--silent', '--silent=yes', '--maxWidth=1e9', '--outputFormat=html',
    '--delimiterForDSV=ab', '--numberFormat=$(id)', '--silent=true --scriptFile=x', 'silent=true',
  ];
  for (const bad of refused) {
    assert.throws(() => checkBeelineOption(bad), isUnsafe, bad);
    assert.throws(() => buildBeelineCommand({ url: URL, extraArgs: [bad] }), isUnsafe, bad);
  }
  assert.throws(() => checkBeelineOption('--scriptFile=x'), /display options only/);
  assert.throws(() => checkBeelineOption('--silent=maybe'), /true or false/);
});
