/** An error the user can act on: printed as one line, exit 1, no stack trace. */
export class UserError extends Error {}

/** The exit code a command chose (0 unless it set one: diff 2/3, check 3). */
export const outcome = { code: 0 };

export function useColour(): boolean {
  return process.stdout.isTTY === true && process.env.NO_COLOR === undefined;
}

export function paint(code: number, text: string): string {
  return useColour() ? `\u001b[${code}m${text}\u001b[0m` : text;
}
