// Multi-step input for the wizards: every step says "Step n of m" and offers Back; Escape cancels
// (Cancelled), so nothing is written. The input is an interface so the extension's tests can drive it.
import * as vscode from 'vscode';
import { Cancelled } from './commandFunnel';

/** What a step's input resolves to when the user pressed Back (registered: inputs from a test's own module copy match it). */
export const BACK = Symbol.for('hiveZk.wizard.back');
export type Back = typeof BACK;

/** Where a prompt sits in its wizard (shown in the title). */
export interface StepAt {
  title: string;
  step: number;
  total: number;
  /** Whether the prompt offers Back (not on the first step, unless a step's own later question). */
  back: boolean;
}

export interface InputStep {
  prompt: string;
  value?: string;
  placeHolder?: string;
  password?: boolean;
  validate?: (value: string) => string | undefined;
}

/** The prompts a wizard can show; each resolves to undefined on Escape, as VS Code's own do. */
export interface WizardInput {
  inputBox(at: StepAt, options: InputStep): Promise<string | Back | undefined>;
  quickPick<T extends vscode.QuickPickItem>(at: StepAt, items: readonly T[], placeHolder: string): Promise<T | Back | undefined>;
  openFile(title: string, openLabel: string): Promise<string | undefined>;
}

/** The same prompts as the wizards use them: Escape throws Cancelled, so no step sees it. */
export interface Prompts {
  inputBox(at: StepAt, options: InputStep): Promise<string | Back>;
  quickPick<T extends vscode.QuickPickItem>(at: StepAt, items: readonly T[], placeHolder: string): Promise<T | Back>;
  openFile(title: string, openLabel: string): Promise<string>;
}

function answered<T>(value: T | undefined): T {
  if (value === undefined) {
    throw new Cancelled();
  }
  return value;
}

function cancelOnEscape(input: WizardInput): Prompts {
  return {
    inputBox: async (at, options) => answered(await input.inputBox(at, options)),
    quickPick: async (at, items, placeHolder) => answered(await input.quickPick(at, items, placeHolder)),
    openFile: async (title, openLabel) => answered(await input.openFile(title, openLabel)),
  };
}

export function stepTitle(at: StepAt): string {
  return `${at.title} — Step ${at.step} of ${at.total}`;
}

/** Shows a quick input until it settles: Back (where offered), accept, or hide (Escape). */
function settle<T>(input: vscode.InputBox | vscode.QuickPick<vscode.QuickPickItem>, at: StepAt, onAccept: (done: (value: T) => void) => void): Promise<T | Back | undefined> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (action: () => void): void => {
      if (!settled) {
        settled = true;
        action();
        input.dispose();
      }
    };
    input.title = stepTitle(at);
    input.ignoreFocusOut = true;
    input.buttons = at.back ? [vscode.QuickInputButtons.Back] : [];
    input.onDidTriggerButton((button) => {
      if (button === vscode.QuickInputButtons.Back) {
        finish(() => resolve(BACK));
      }
    });
    input.onDidAccept(() => onAccept((value) => finish(() => resolve(value))));
    input.onDidHide(() => finish(() => resolve(undefined)));
    input.show();
  });
}

/** The real prompts: VS Code's QuickInput with a Back button. */
export const quickInputWizard: WizardInput = {
  inputBox(at, options) {
    const box = vscode.window.createInputBox();
    box.prompt = options.prompt;
    box.value = options.value ?? '';
    box.placeholder = options.placeHolder;
    box.password = options.password ?? false;
    box.onDidChangeValue((value) => {
      box.validationMessage = options.validate?.(value);
    });
    return settle<string>(box, at, (done) => {
      const problem = options.validate?.(box.value);
      box.validationMessage = problem;
      if (!problem) {
        done(box.value);
      }
    });
  },
  quickPick<T extends vscode.QuickPickItem>(at: StepAt, items: readonly T[], placeHolder: string) {
    const pick = vscode.window.createQuickPick<T>();
    pick.items = items;
    pick.placeholder = placeHolder;
    return settle<T>(pick, at, (done) => {
      const [chosen] = pick.selectedItems;
      if (chosen) {
        done(chosen);
      }
    });
  },
  async openFile(title, openLabel) {
    const picked = await vscode.window.showOpenDialog({ title, openLabel, canSelectMany: false, canSelectFolders: false });
    return picked?.[0]?.fsPath;
  },
};

/** One wizard step: asks (through the input) and keeps its answer; BACK goes to the step before. */
export type Step = (at: StepAt) => Promise<void | Back>;

export async function runSteps(title: string, steps: readonly Step[]): Promise<void> {
  for (let index = 0; index < steps.length; ) {
    const step = steps[index];
    const outcome = await step({ title, step: index + 1, total: steps.length, back: index > 0 });
    index = outcome === BACK ? Math.max(0, index - 1) : index + 1;
  }
}

/** Which input the wizards use: the real one, or for a while another (the extension's tests). */
export class WizardInputs {
  private input: WizardInput = quickInputWizard;

  get current(): Prompts {
    return cancelOnEscape(this.input);
  }

  use(input: WizardInput): vscode.Disposable {
    this.input = input;
    return new vscode.Disposable(() => {
      this.input = quickInputWizard;
    });
  }
}
