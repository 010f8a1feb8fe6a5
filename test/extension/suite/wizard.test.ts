// The Add / Edit Ensemble wizard driven step by step through a scripted input (the extension's
// WizardInput seam; the real one is VS Code's QuickInput with a Back button): "Step n of m" on
// every step, Back keeps what was typed, the name is checked, the connection is tested against
// the sandbox ZooKeeper, a failed test says why and stays, and Escape writes nothing.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { EnsembleConfig } from '../../../src/ui/settings';
import type { EnsembleNode } from '../../../src/ui/tree/nodes';
import type { Back, InputStep, StepAt, WizardInput } from '../../../src/ui/wizard';
import { test } from './harness';
import { activate, api, kids, onlySandbox, SANDBOX_PORT, SANDBOX_ZK, setSetting, waitFor } from './helpers';

/** The extension's Back answer: a registered symbol, so this module's copy and the bundle's agree. */
const BACK: Back = Symbol.for('hiveZk.wizard.back') as Back;
/** Script words: press Back, press Escape, or accept what the step offers. */
const PRESS_BACK = '<back>';
const PRESS_ESCAPE = '<escape>';
const ACCEPT = '<accept>';

/**
 * Answers the wizard's prompts from a script, as a user would: an input box gets the text (an
 * answer its validation refuses is recorded and the next one typed), a pick the item whose label
 * contains the text. Records each prompt as "Step n of m: prompt [offered value]".
 */
class ScriptedInput implements WizardInput {
  readonly seen: string[] = [];
  readonly refused: string[] = [];
  /** Per prompt: whether it offered Back. */
  readonly backOffered: boolean[] = [];

  constructor(private readonly script: string[]) {}

  get unused(): string[] {
    return this.script;
  }

  private next(): string {
    const answer = this.script.shift();
    assert.ok(answer !== undefined, `the wizard asked more than scripted; it showed: ${this.seen.join(' | ')}`);
    return answer;
  }

  inputBox(at: StepAt, options: InputStep): Promise<string | Back | undefined> {
    this.seen.push(`Step ${at.step} of ${at.total}: ${options.prompt} [${options.value ?? ''}]`);
    this.backOffered.push(at.back);
    for (;;) {
      const answer = this.next();
      if (answer === PRESS_BACK || answer === PRESS_ESCAPE) {
        return Promise.resolve(answer === PRESS_BACK ? BACK : undefined);
      }
      const value = answer === ACCEPT ? (options.value ?? '') : answer;
      const problem = options.validate?.(value);
      if (!problem) {
        return Promise.resolve(value);
      }
      this.refused.push(problem);
    }
  }

  quickPick<T extends vscode.QuickPickItem>(at: StepAt, items: readonly T[], placeHolder: string): Promise<T | Back | undefined> {
    this.seen.push(`Step ${at.step} of ${at.total}: ${placeHolder}`);
    this.backOffered.push(at.back);
    const answer = this.next();
    if (answer === PRESS_BACK || answer === PRESS_ESCAPE) {
      return Promise.resolve(answer === PRESS_BACK ? BACK : undefined);
    }
    const item = items.find((i) => i.label.includes(answer));
    assert.ok(item, `"${answer}" among ${items.map((i) => i.label).join(', ')}`);
    return Promise.resolve(item);
  }

  openFile(): Promise<string | undefined> {
    throw new Error('no file dialog is scripted');
  }
}

/** Runs a command with the scripted input in place of the real prompts. */
async function withScript<T>(input: ScriptedInput, command: string, ...args: unknown[]): Promise<T | undefined> {
  const scripted = api().wizardInputs.use(input);
  try {
    return await vscode.commands.executeCommand<T>(command, ...args);
  } finally {
    scripted.dispose();
  }
}

function configured(): EnsembleConfig[] {
  return vscode.workspace.getConfiguration('hiveZk').get<EnsembleConfig[]>('ensembles') ?? [];
}

test('add wizard: Step n of m, Back keeps the connect string and moves the default name, name checked, connection tested, saved', async () => {
  await activate();
  await onlySandbox();
  const input = new ScriptedInput([
    'localhost:1', // step 1
    PRESS_BACK, // step 2 (name) → back to step 1
    SANDBOX_ZK, // step 1 again: the sandbox's servers, said so
    'Add them again', // as another ensemble
    'sandbox', // refused: taken
    '  ', // refused: empty
    'wizard-added',
    ACCEPT, // HS2 namespaces
    ACCEPT, // lock namespace
    'None', // security
    'Test Connection', // against the sandbox: succeeds and saves
  ]);
  const added = await withScript<EnsembleConfig>(input, 'hiveZk.addEnsemble');
  assert.deepEqual(input.unused, [], `the whole script was used; the wizard showed ${input.seen.join(' | ')}`);
  assert.equal(added?.name, 'wizard-added', input.seen.join(' | '));
  assert.equal(added.connectString, SANDBOX_ZK);
  assert.deepEqual(added.hs2Namespaces, ['hiveserver2']);
  assert.equal(added.lockNamespace, 'hive_zookeeper_namespace');
  assert.equal(added.tls, undefined);
  assert.deepEqual(input.refused, ['An ensemble named "sandbox" already exists.', 'A name is needed.']);
  assert.deepEqual(
    input.seen.map((s) => s.slice(0, s.indexOf(':'))),
    ['Step 1 of 6', 'Step 2 of 6', 'Step 1 of 6', 'Step 1 of 6', 'Step 2 of 6', 'Step 3 of 6', 'Step 4 of 6', 'Step 5 of 6', 'Step 6 of 6'],
  );
  assert.deepEqual(input.backOffered, [false, true, false, false, true, true, true, true, true], 'Back everywhere but on the first step');
  assert.match(input.seen[1] ?? '', /\[localhost\]$/, 'the name defaults to the first host');
  assert.match(input.seen[2] ?? '', /\[localhost:1\]$/, 'Back shows the connect string as typed');
  assert.match(input.seen[3] ?? '', /already configured as "sandbox"/, 'the servers of an ensemble already configured are not taken silently');
  assert.match(input.seen[4] ?? '', /\[127\.0\.0\.1\]$/, 'the default name follows the new first host');
  assert.match(input.seen[8] ?? '', /Test the connection before saving\?$/);
  assert.ok(configured().some((e) => e.name === 'wizard-added' && e.connectString === SANDBOX_ZK), 'written to settings');
}, 60_000);

test('edit wizard: a failed test says why and stays; Back returns to security; Escape writes nothing', async () => {
  await activate();
  await onlySandbox();
  await setSetting('ensembles', [...configured(), { name: 'wizard-edit', connectString: SANDBOX_ZK }]);
  await setSetting('connection.connectTimeoutMs', 1500);
  try {
    const node = await waitFor('the wizard-edit ensemble row', async () => (await kids()).find((n): n is EnsembleNode => n.kind === 'ensemble' && n.ensemble === 'wizard-edit'));
    const before = JSON.stringify(configured());
    const input = new ScriptedInput([
      '127.0.0.1:1', // step 1: nothing listens there
      ACCEPT, // HS2 namespaces
      ACCEPT, // lock namespace
      'Keep the current security',
      'Test Connection', // fails: the step is shown again with the reason
      PRESS_BACK, // → security
      PRESS_ESCAPE,
    ]);
    const result = await withScript(input, 'hiveZk.editEnsemble', node);
    assert.equal(result, undefined);
    assert.deepEqual(input.unused, []);
    assert.deepEqual(
      input.seen.map((s) => s.slice(0, s.indexOf(':'))),
      ['Step 1 of 5', 'Step 2 of 5', 'Step 3 of 5', 'Step 4 of 5', 'Step 5 of 5', 'Step 5 of 5', 'Step 4 of 5'],
      'Edit has no name step (renaming would orphan the stored secrets)',
    );
    // The reason goes to a message in full; the prompt says what to change: here the port, not the security.
    assert.match(input.seen[5] ?? '', /: Test failed \(ZK_UNREACHABLE\): check the connect string$/);
    assert.equal(JSON.stringify(configured()), before, 'Escape wrote nothing');
  } finally {
    await setSetting('connection.connectTimeoutMs', undefined);
  }
}, 60_000);

test('add wizard: Escape on a later step writes nothing', async () => {
  await activate();
  await onlySandbox();
  const input = new ScriptedInput(['localhost:1', 'never-saved', ACCEPT, PRESS_ESCAPE]);
  const result = await withScript(input, 'hiveZk.addEnsemble');
  assert.equal(result, undefined);
  assert.deepEqual(input.unused, []);
  assert.deepEqual(
    configured().map((e) => e.name),
    ['sandbox'],
  );
  await onlySandbox();
});

test('add with an argument skips the wizard: the name defaults to the first host, a taken name is refused', async () => {
  await activate();
  await onlySandbox();
  const input = new ScriptedInput([]);
  const added = await withScript<EnsembleConfig>(input, 'hiveZk.addEnsemble', { connectString: `localhost:${SANDBOX_PORT}` });
  assert.equal(added?.name, 'localhost');
  assert.deepEqual(input.seen, [], 'no prompt');
  const again = await withScript<EnsembleConfig>(input, 'hiveZk.addEnsemble', { name: 'sandbox', connectString: SANDBOX_ZK });
  assert.equal(again, undefined, 'refused through the error funnel');
  assert.deepEqual(
    configured().map((e) => e.name),
    ['sandbox', 'localhost'],
  );
  await onlySandbox();
});

test('add wizard: the servers of a configured ensemble are said, and Open shows that ensemble instead of adding', async () => {
  await activate();
  await onlySandbox();
  const input = new ScriptedInput([SANDBOX_ZK, 'Open "sandbox"']);
  const result = await withScript(input, 'hiveZk.addEnsemble');
  assert.equal(result, undefined);
  assert.deepEqual(input.unused, []);
  assert.match(input.seen[1] ?? '', /already configured as "sandbox" \(/);
  assert.deepEqual(
    configured().map((e) => e.name),
    ['sandbox'],
    'nothing added',
  );
  assert.equal(await waitFor('the sandbox row selected', () => api().view.selection[0]?.id), 'ensemble|sandbox');
});

test('a pasted URL of a configured ensemble is not taken silently: it names the ensemble, offers to add the namespace or open it', async () => {
  await activate();
  await onlySandbox();
  try {
    const url = (namespace: string): string => `jdbc:hive2://${SANDBOX_ZK}/;serviceDiscoveryMode=zooKeeper;zooKeeperNamespace=${namespace}`;
    const adding = new ScriptedInput(['Add the namespace']);
    const widened = await withScript<EnsembleConfig>(adding, 'hiveZk.addEnsembleFromUrl', url('hiveserver2-analytics'));
    assert.deepEqual(adding.unused, []);
    assert.match(adding.seen[0] ?? '', /already configured as "sandbox"/);
    assert.deepEqual(widened?.hs2Namespaces, ['hiveserver2', 'hiveserver2-analytics']);
    await waitFor('the namespace written', () => configured().find((e) => e.name === 'sandbox')?.hs2Namespaces?.includes('hiveserver2-analytics'));
    // The same URL again: only Open is offered (the namespace is there); Escape changes nothing.
    const again = new ScriptedInput([PRESS_ESCAPE]);
    const before = JSON.stringify(configured());
    assert.equal(await withScript(again, 'hiveZk.addEnsembleFromUrl', url('hiveserver2-analytics')), undefined);
    assert.equal(JSON.stringify(configured()), before);
    const offered = new ScriptedInput(['Open "sandbox"']);
    await withScript(offered, 'hiveZk.addEnsembleFromUrl', url('hiveserver2-analytics'));
    assert.equal(await waitFor('the sandbox row selected', () => api().view.selection[0]?.id), 'ensemble|sandbox');
  } finally {
    await onlySandbox();
  }
});

test('Reveal Blocker under a filter that hides the blocker offers to clear the filter and reveal it', async () => {
  await activate();
  await onlySandbox();
  try {
    await vscode.commands.executeCommand('hiveZk.filter', 'INSERT OVERWRITE');
    const summary = await waitFor('the filtered Waiting summary', async () => (await kids(await waitFor('Locks', async () => (await kids(await waitFor('sandbox', async () => (await kids()).find((n) => n.kind === 'ensemble' && n.ensemble === 'sandbox')))).find((n) => n.kind === 'section' && n.section === 'locks')))).find((n) => n.kind === 'waitingLocks'));
    const [waiting] = await kids(summary);
    assert.ok(waiting?.kind === 'lock' && waiting.blocker);
    const input = new ScriptedInput(['Clear the filter and reveal']);
    const revealed = await withScript<string>(input, 'hiveZk.revealBlocker', waiting);
    assert.deepEqual(input.unused, []);
    assert.match(input.seen[0] ?? '', /hidden by the filter "insert overwrite"/i);
    assert.match(revealed ?? '', /\/LOCK-SHARED-\d{10}$/);
    assert.equal(api().tree.filter, undefined, 'the filter was cleared');
  } finally {
    await vscode.commands.executeCommand('hiveZk.clearFilter');
  }
});

test('Edit on an ensemble\'s error row edits that ensemble, not another one', async () => {
  await activate();
  await onlySandbox();
  await setSetting('ensembles', [...configured(), { name: 'edit-broken', connectString: '127.0.0.1:1' }]);
  try {
    const broken = await waitFor('the edit-broken row', async () => (await kids()).find((n): n is EnsembleNode => n.kind === 'ensemble' && n.ensemble === 'edit-broken'));
    const [errorRow] = await kids(broken);
    assert.equal(errorRow?.kind, 'message');
    const input = new ScriptedInput([PRESS_ESCAPE]);
    assert.equal(await withScript(input, 'hiveZk.editEnsemble', errorRow), undefined);
    assert.match(input.seen[0] ?? '', /\[127\.0\.0\.1:1\]$/, 'the wizard opens on the broken ensemble\'s connect string');
  } finally {
    await onlySandbox();
  }
});
