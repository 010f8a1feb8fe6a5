// A command's answer with its own exit status and, for a terminal, a readable text form
// (the doctor's report): cli.ts prints the text on a terminal and the JSON otherwise.

export class Rendered {
  constructor(
    readonly json: unknown,
    /** Printed instead of the JSON when set. */
    readonly text: string | undefined,
    readonly exitCode: number,
  ) {}
}
