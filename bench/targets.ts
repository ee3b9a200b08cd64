/**
 * A benchmark's targets are reported, never asserted: the run always
 * completes and says, per target, whether it was met and on what evidence.
 */

export interface TargetCheck {
  readonly target: string;
  readonly met: boolean;
  readonly evidence: string;
}

export function metMark(met: boolean): string {
  return met ? 'met' : 'NOT met';
}

export function renderTargets(checks: readonly TargetCheck[]): string {
  return checks.map(c => `- **${metMark(c.met)}**: ${c.target}. ${c.evidence}`).join('\n');
}
