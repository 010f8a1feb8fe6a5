// One test per quirk explanation, each named by the Hive source that causes it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareDriverVersions, explainUrl, ignoredByAuth } from '../../src/core/jdbc/driverQuirks';

const codes = (url: string, version: '2' | '3' | '4.0' | '4.1+' = '4.1+'): string[] => explainUrl(url, version).map((n) => n.code);

test('Utils.parseURL host-text replacement: the principal reaches the driver with dummyhost:00000, and _HOST is suggested', () => {
  const notes = explainUrl('jdbc:hive2://hs2.example.com/;principal=hive/hs2.example.com@R', '4.0');
  const note = notes.find((n) => n.code === 'HOST_TEXT_REPLACED');
  assert.ok(note, JSON.stringify(notes));
  assert.match(note.message, /"hive\/dummyhost:00000@R"/);
  assert.match(note.message, /hive\/_HOST@R/);
});

test('Utils.parseURL host-text replacement: nothing to say when the host occurs once', () => {
  assert.ok(!codes('jdbc:hive2://hs2.example.com:10000/;principal=hive/_HOST@R').includes('HOST_TEXT_REPLACED'));
});

test('Utils.parseURL host-text replacement: a host inside "jdbc:hive2://" breaks the prefix', () => {
  const note = explainUrl('jdbc:hive2://hive/db', '4.0').find((n) => n.code === 'HOST_TEXT_REPLACED');
  assert.match(note?.message ?? '', /prefix/);
});

test('Utils.parseURL host-text replacement never prints a password', () => {
  const notes = explainUrl('jdbc:hive2://h.example.com:1/;user=h.example.com:1;password=h.example.com:1x', '4.0');
  assert.ok(notes.some((n) => n.code === 'HOST_TEXT_REPLACED'));
  assert.ok(!JSON.stringify(notes).includes('h.example.com:1x'));
});

test('HiveConnection isKerberosAuthMode: principal ignored with auth=noSasl', () => {
  assert.deepEqual(ignoredByAuth({ principal: 'hive/_HOST@R', auth: 'noSasl' }).map((n) => n.code), ['PRINCIPAL_IGNORED_NOSASL']);
});

test('HiveConnection Kerberos transport: password ignored when a principal is set', () => {
  assert.deepEqual(ignoredByAuth({ principal: 'hive/_HOST@R', password: 'x' }).map((n) => n.code), ['PASSWORD_IGNORED_KERBEROS']);
});

test('HiveConnection openTransport: httpPath and http headers ignored on a binary transport', () => {
  const notes = ignoredByAuth({ httpPath: 'cliservice', 'http.header.X': '1' });
  assert.equal(notes[0]?.code, 'HTTP_SETTINGS_IGNORED_BINARY');
  assert.deepEqual(ignoredByAuth({ httpPath: 'cliservice', transportMode: 'HTTP' }), []);
});

test('HiveConnection isSslConnection: trust store ignored without ssl=true', () => {
  assert.equal(ignoredByAuth({ sslTrustStore: '/t.jks' })[0]?.code, 'SSL_SETTINGS_IGNORED');
  assert.deepEqual(ignoredByAuth({ sslTrustStore: '/t.jks', ssl: 'TRUE' }), []);
});

test('Utils.parseURL greedy key regex: "a=b=c" mis-splits, and a password key is not shown', () => {
  const notes = explainUrl('jdbc:hive2://h:1/;password=se=cret', '4.0').filter((n) => n.code === 'GREEDY_KEY_SPLIT');
  assert.equal(notes.length, 1);
  assert.match(notes[0]?.message ?? '', /password is not set/);
  assert.ok(!JSON.stringify(notes).includes('se=cret') && !JSON.stringify(notes).includes('password=se'));
  assert.match(explainUrl('jdbc:hive2://h:1/;password=se=cret', '4.1+').find((n) => n.code === 'GREEDY_KEY_SPLIT')?.message ?? '', /HIVE-28805/);
});

test('java.net.URI fragment: a "#" inside session variables sends the rest to hive variables', () => {
  const note = explainUrl('jdbc:hive2://h:1/;user=a#b;ssl=true', '4.0').find((n) => n.code === 'VALUE_CUT_BY_DELIMITER');
  assert.match(note?.message ?? '', /%23/);
  assert.ok(!codes('jdbc:hive2://h:1/;user=a#v=1').includes('VALUE_CUT_BY_DELIMITER'), 'a real hive variable is fine');
});

test('HIVE-28217: a port-less direct URL is explained for drivers without a default port', () => {
  assert.ok(codes('jdbc:hive2://h/', '3').includes('NO_DEFAULT_PORT'));
  assert.ok(!codes('jdbc:hive2://h/', '4.1+').includes('NO_DEFAULT_PORT'));
});

test('hostile URLs: repeated host text, many password= and "=" keys give notes or typed errors, never a crash', () => {
  const inputs = [
    `jdbc:hive2://a:1/;${'k=a:1;'.repeat(3000)}` /* the host text repeated 3000 times */,
    `jdbc:hive2://h:1/;${';xpassword=1'.repeat(1000)}`,
    `jdbc:hive2://h:1/;${'a=b=c;'.repeat(2000)}`,
    `jdbc:hive2://h:1/;p=${'#'.repeat(5000)}`,
    `jdbc:hive2://${'x'.repeat(300)}/;principal=${'x'.repeat(300)}`,
  ];
  for (const input of inputs) {
    for (const version of ['2', '3', '4.0', '4.1+'] as const) {
      try {
        assert.ok(Array.isArray(explainUrl(input, version)));
      } catch (error) {
        assert.ok(error instanceof Error && 'code' in error, `typed error for ${input.slice(0, 40)}`);
      }
    }
    assert.ok(Array.isArray(compareDriverVersions(input).readings));
  }
});
